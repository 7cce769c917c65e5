"""consistency.*: the seeded ISPyB facility and the SciCat catalogue describe the same data.

ISPyB is read through its API as ``admin`` (``all_proposals``) with the same
reader ``scicatlive sync`` uses, so the checks see exactly what ISPyB serves;
SciCat is read through its API as ``admin``. Each side is read once per run and
shared by the four checks. Records are matched by their ISPyB natural keys
(a raw dataset by the ``imageDirectory``, ``imagePrefix`` and
``dataCollectionNumber`` in its scientific metadata), so a duplicate or a
missing record is found whatever its pid; pids and sample ids are then compared
with the mapping's deterministic ones (``scicatlive.mapping.Identifiers``) for
the target's site and pid prefix.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scicatlive.asyncrun import run_sync
from scicatlive.checks.context import ADMIN, CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.http import RetryPolicy, Session
from scicatlive.clients.scicat import V3
from scicatlive.domain import model as m
from scicatlive.errors import ScicatliveError
from scicatlive.mapping import Identifiers, proposal_group
from scicatlive.sync import FacilityFacts, read_facility

PAGE = 1000
MAX_LISTED = 5
CHECK_RETRY = RetryPolicy(deadline=10.0, attempts=2, first_delay=0.1, max_delay=0.2)
# DataCollection fields that are catalogue facts, not collection parameters (as in the mapping).
NOT_PARAMETERS = frozenset({"files", "published", "autoProcPrograms"})
HIERARCHY_TYPES = ("shipment", "dewar", "puck")

Doc = dict[str, Any]


# -- reading both sides ------------------------------------------------------------------------


def ispyb_graph(ctx: CheckContext) -> m.FacilityGraph:
    return ctx.shared("ispyb.graph", lambda: _read_ispyb(ctx))


def _read_ispyb(ctx: CheckContext) -> m.FacilityGraph:
    url = ctx.target.ispyb_url
    if url is None:
        raise CheckSkipped("no ISPyB URL (--ispyb-url)")
    ctx.password(ADMIN)  # skips the check when the target has no admin account
    facts = FacilityFacts(site=ctx.target.site)
    try:
        graph = run_sync(
            read_facility(ctx.target, facts, account=ADMIN, retry=CHECK_RETRY, transport=ctx.async_transport)
        )
    except ScicatliveError as error:
        raise CheckFailed(f"read ISPyB: {error.message}") from None
    if not any(True for _ in graph.data_collections()):
        raise CheckSkipped("ISPyB holds no data collections: nothing was seeded (`scicatlive seed tiny`)")
    return graph


@dataclass
class Catalogue:
    """What SciCat holds for the seeded proposals."""

    proposals: dict[str, Doc]
    raw: list[Doc]
    derived: list[Doc]
    samples: dict[str, Doc]
    blocks: dict[str, list[Doc]] = field(default_factory=dict)  # by datasetId

    def raw_by_key(self) -> dict[str, list[Doc]]:
        found: dict[str, list[Doc]] = defaultdict(list)
        for dataset in self.raw:
            meta = dataset.get("scientificMetadata") or {}
            key = f"{_value(meta, 'imageDirectory')}{_value(meta, 'imagePrefix')}_{_value(meta, 'dataCollectionNumber')}"
            found[key].append(dataset)
        return found


def scicat_catalogue(ctx: CheckContext) -> Catalogue:
    return ctx.shared("scicat.catalogue", lambda: _read_scicat(ctx, ispyb_graph(ctx)))


def _read_scicat(ctx: CheckContext, graph: m.FacilityGraph) -> Catalogue:
    admin = ctx.scicat(ADMIN)
    names = [p.proposal for p in graph.proposals]
    where = {"proposalId": {"inq": names}}
    datasets = _all(admin, "datasets", where, "filter")
    samples = _all(admin, "samples", where, "filter")
    proposals = _all(admin, "proposals", where, "filters")
    pids = [d["pid"] for d in datasets]
    blocks: dict[str, list[Doc]] = defaultdict(list)
    for start in range(0, len(pids), PAGE):
        for block in _all(admin, "origdatablocks", {"datasetId": {"inq": pids[start : start + PAGE]}}, "filter"):
            blocks[str(block.get("datasetId"))].append(block)
    return Catalogue(
        proposals={str(p.get("proposalId")): p for p in proposals},
        raw=[d for d in datasets if d.get("type") == "raw"],
        derived=[d for d in datasets if d.get("type") == "derived"],
        samples={str(s.get("sampleId")): s for s in samples},
        blocks=dict(blocks),
    )


def _all(client: Session, what: str, where: Doc, param: str) -> list[Doc]:
    rows: list[Doc] = []
    while True:
        query = {"where": where, "limits": {"limit": PAGE, "skip": len(rows)}}
        page = client.expect(f"list SciCat {what} as {ADMIN}", "GET", f"{V3}/{what}",
                             params={param: json.dumps(query)}, status=(200,))  # fmt: skip
        rows += page
        if len(page) < PAGE:
            return rows


# -- comparing ---------------------------------------------------------------------------------


def _value(meta: Doc, key: str) -> Any:
    entry = meta.get(key)
    return entry.get("value") if isinstance(entry, dict) else entry


def same(expected: Any, found: Any) -> bool:
    """ISPyB stores some columns as single-precision floats and times to the second."""
    if expected is None:
        return found is None
    if isinstance(expected, datetime):
        return isinstance(found, str) and _as_utc(expected) == _parse_time(found)
    if isinstance(expected, bool) or isinstance(found, bool):
        return isinstance(expected, bool) and isinstance(found, bool) and expected == found
    if isinstance(expected, (int, float)) and isinstance(found, (int, float)):
        return math.isclose(float(expected), float(found), rel_tol=1e-5, abs_tol=1e-9)
    return bool(expected == found)


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_time(text: str) -> datetime | None:
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _collections(graph: m.FacilityGraph) -> Iterator[tuple[m.Proposal, m.DataCollection]]:
    for proposal in graph.proposals:
        for _, sample in proposal.samples():
            for group in sample.dataCollectionGroups:
                for collection in group.dataCollections:
                    yield proposal, collection


def _fail(problems: list[str], total: int, what: str) -> None:
    if problems:
        shown = "; ".join(problems[:MAX_LISTED])
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise CheckFailed(f"{len(problems)} of {total} {what}: {shown}{more}")


def _ids(ctx: CheckContext) -> Identifiers | None:
    prefix = ctx.target.pid_prefix
    return Identifiers(ctx.target.site, prefix) if prefix else None


# -- consistency.datasets ----------------------------------------------------------------------


def consistency_datasets(ctx: CheckContext) -> str:
    graph = ispyb_graph(ctx)
    catalogue = scicat_catalogue(ctx)
    by_key = catalogue.raw_by_key()
    ids = _ids(ctx)
    problems: list[str] = []
    total = 0
    for proposal, collection in _collections(graph):
        total += 1
        label = f"data collection {collection.natural_key}"
        found = by_key.get(collection.natural_key, [])
        if len(found) != 1:
            expected_pid = f" (expected pid {ids.raw_dataset(collection)})" if ids else ""
            problems.append(f"{label}: expected exactly 1 raw dataset{expected_pid}, found {len(found)} "
                            f"{[d.get('pid') for d in found]}")  # fmt: skip
            continue
        problems += _raw_problems(label, proposal, collection, found[0], catalogue, ids)
    _fail(problems, total, "data collections differ from SciCat")
    return f"{total} data collections each have exactly one raw dataset with their parameters, files and group"


def _raw_problems(
    label: str, proposal: m.Proposal, collection: m.DataCollection, dataset: Doc, catalogue: Catalogue, ids: Identifiers | None
) -> list[str]:
    problems = []
    pid = str(dataset.get("pid"))
    if ids and pid != ids.raw_dataset(collection):
        problems.append(f"{label}: expected pid {ids.raw_dataset(collection)}, found {pid}")
    group = proposal_group(proposal)
    if dataset.get("ownerGroup") != group:
        problems.append(f"{label}: raw dataset {pid}: expected ownerGroup {group!r}, found {dataset.get('ownerGroup')!r}")
    if dataset.get("proposalId") != proposal.proposal and proposal.proposal not in (dataset.get("proposalIds") or []):
        problems.append(f"{label}: raw dataset {pid}: expected proposal {proposal.proposal}, found {dataset.get('proposalIds')}")
    meta = dataset.get("scientificMetadata") or {}
    for name, expected in collection.model_dump(exclude=set(NOT_PARAMETERS)).items():
        if not same(expected, _value(meta, name)):
            problems.append(f"{label}: raw dataset {pid}: expected {name} = {expected!r}, found {_value(meta, name)!r}")
    problems += _file_problems(label, pid, collection, dataset, catalogue.blocks.get(pid, []))
    return problems


def _file_problems(label: str, pid: str, collection: m.DataCollection, dataset: Doc, blocks: list[Doc]) -> list[str]:
    expected = sorted(f.fileName for f in collection.files)
    files = [f for block in blocks for f in block.get("dataFileList") or []]
    found = sorted(str(f.get("path", "")).rsplit("/", 1)[-1] for f in files)
    problems = []
    if found != expected:
        problems.append(f"{label}: raw dataset {pid}: expected files {_short(expected)}, found {_short(found)}")
    if dataset.get("numberOfFiles") != len(files):
        problems.append(f"{label}: raw dataset {pid}: expected numberOfFiles {len(files)} (its origdatablocks), found {dataset.get('numberOfFiles')}")
    size = sum(int(f.get("size") or 0) for f in files)
    if dataset.get("size") != size:
        problems.append(f"{label}: raw dataset {pid}: expected size {size} (sum of its files), found {dataset.get('size')}")
    return problems


def _short(names: list[str]) -> str:
    return f"{names[:3]}{' …' if len(names) > 3 else ''} ({len(names)})"


# -- consistency.derived -----------------------------------------------------------------------


def consistency_derived(ctx: CheckContext) -> str:
    graph = ispyb_graph(ctx)
    catalogue = scicat_catalogue(ctx)
    by_key = catalogue.raw_by_key()
    by_input: dict[str, list[Doc]] = defaultdict(list)
    for dataset in catalogue.derived:
        for source in dataset.get("inputDatasets") or []:
            by_input[str(source)].append(dataset)
    ids = _ids(ctx)
    problems: list[str] = []
    total = 0
    for _, collection in _collections(graph):
        raws = by_key.get(collection.natural_key, [])
        for program in collection.autoProcPrograms:
            total += 1
            label = f"processing {program.processingPrograms} of {collection.natural_key}"
            if len(raws) != 1:
                problems.append(f"{label}: expected its raw dataset to exist once, found {len(raws)}")
                continue
            raw_pid = str(raws[0].get("pid"))
            matches = [d for d in by_input.get(raw_pid, []) if program.processingPrograms in (d.get("usedSoftware") or [])]
            if len(matches) != 1:
                problems.append(f"{label}: expected exactly 1 derived dataset with inputDatasets [{raw_pid}] and usedSoftware "
                                f"{program.processingPrograms!r}, found {len(matches)}")  # fmt: skip
                continue
            pid = str(matches[0].get("pid"))
            if ids and pid != ids.derived_dataset(collection, program):
                problems.append(f"{label}: expected pid {ids.derived_dataset(collection, program)}, found {pid}")
    _fail(problems, total, "processing runs differ from SciCat")
    return f"{total} processing runs each have a derived dataset whose inputDatasets is their raw dataset"


# -- consistency.samples -----------------------------------------------------------------------


def sample_layout(catalogue: Catalogue) -> str:
    """The seed's sample layout, read from SciCat: hierarchical when shipments/dewars/pucks exist."""
    types = {s.get("type") for s in catalogue.samples.values()}
    return "hierarchical" if types & set(HIERARCHY_TYPES) else "flat"


@dataclass(frozen=True)
class ExpectedSample:
    sample_id: str
    kind: str
    name: str
    parent: str | None
    label: str


def expected_samples(graph: m.FacilityGraph, site: str, layout: str) -> list[ExpectedSample]:
    ids = Identifiers(site, "-")
    expected: list[ExpectedSample] = []
    hierarchical = layout == "hierarchical"
    for proposal in graph.proposals:
        for shipping in proposal.shippings:
            shipment_id = ids.shipping_sample(proposal.proposal, shipping.shippingName)
            if hierarchical:
                expected.append(ExpectedSample(shipment_id, "shipment", shipping.shippingName, None, f"shipment {shipping.shippingName}"))
            for dewar in shipping.dewars:
                dewar_id = ids.dewar_sample(dewar.barCode)
                if hierarchical:
                    expected.append(ExpectedSample(dewar_id, "dewar", dewar.code, shipment_id, f"dewar {dewar.barCode}"))
                for container in dewar.containers:
                    puck_id = ids.container_sample(container.barcode)
                    if hierarchical:
                        expected.append(ExpectedSample(puck_id, "puck", container.code, dewar_id, f"puck {container.barcode}"))
                    for sample in container.samples:
                        expected.append(ExpectedSample(
                            ids.crystal_sample(container.barcode, sample.location), "crystal", sample.name,
                            puck_id if hierarchical else None, f"sample {container.barcode}/{sample.location} ({sample.name})",
                        ))  # fmt: skip
    return expected


def consistency_samples(ctx: CheckContext) -> str:
    graph = ispyb_graph(ctx)
    catalogue = scicat_catalogue(ctx)
    layout = sample_layout(catalogue)
    expected = expected_samples(graph, ctx.target.site, layout)
    problems = []
    for want in expected:
        found = catalogue.samples.get(want.sample_id)
        if found is None:
            problems.append(f"{want.label}: expected SciCat sample {want.sample_id} (site {ctx.target.site}), found none")
            continue
        for key, value in (("type", want.kind), ("sampleName", want.name), ("parentSampleId", want.parent)):
            if found.get(key) != value:
                problems.append(f"{want.label}: sample {want.sample_id}: expected {key} {value!r}, found {found.get(key)!r}")
    _fail(problems, len(expected), f"ISPyB samples ({layout} layout) differ from SciCat")
    kinds = Counter(w.kind for w in expected)
    return f"{layout} layout: " + ", ".join(f"{n} {k}" for k, n in kinds.items()) + " samples all in SciCat"


# -- consistency.counts ------------------------------------------------------------------------


def consistency_counts(ctx: CheckContext) -> str:
    graph = ispyb_graph(ctx)
    catalogue = scicat_catalogue(ctx)
    layout = sample_layout(catalogue)
    collections = [c for _, c in _collections(graph)]
    programs = [p for c in collections for p in c.autoProcPrograms]
    pids = {str(d.get("pid")) for d in catalogue.raw + catalogue.derived}
    expected = {
        "proposals": len(graph.proposals),
        "raw datasets": len(collections),
        "derived datasets": len(programs),
        "samples": len(expected_samples(graph, ctx.target.site, layout)),
        "origdatablocks": len(collections) + len(programs),
    }
    found = {
        "proposals": len(catalogue.proposals),
        "raw datasets": len(catalogue.raw),
        "derived datasets": len(catalogue.derived),
        "samples": len(catalogue.samples),
        "origdatablocks": sum(len(b) for pid, b in catalogue.blocks.items() if pid in pids),
    }
    differ = [f"{k}: ISPyB {expected[k]}, SciCat {found[k]}" for k in expected if expected[k] != found[k]]
    if differ:
        raise CheckFailed(f"expected equal counts for the {len(graph.proposals)} seeded proposals, found " + "; ".join(differ))
    return ", ".join(f"{n} {k}" for k, n in expected.items()) + " on both sides"


NEEDS: frozenset[Any] = frozenset({"ispyb", "seeded"})
CHECKS = [
    Check("consistency.datasets", "every ISPyB data collection has exactly one raw dataset with its parameters, files and group", consistency_datasets, needs=NEEDS),
    Check("consistency.derived", "every auto-processing run has a derived dataset whose inputDatasets is its raw dataset", consistency_derived, needs=NEEDS),
    Check("consistency.samples", "every ISPyB sample (and, when hierarchical, its puck, dewar and shipment) exists in SciCat", consistency_samples, needs=NEEDS),
    Check("consistency.counts", "proposals, raw and derived datasets, samples and origdatablocks: equal counts on both sides", consistency_counts, needs=NEEDS),
]
