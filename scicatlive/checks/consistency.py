"""consistency.*: the seeded ISPyB facility and the SciCat catalogue describe the same data.

ISPyB is read through its API as ``admin`` (``all_proposals``) with the same
reader ``scicatlive sync`` uses, so the checks see exactly what ISPyB serves;
SciCat is read through its API as ``admin``. Each side is read once per run and
shared by the four checks: exact totals of the whole facility, and a deterministic
sample of proposals compared record by record (see :mod:`.consistency_read`; the
message of each check states the sample). Records are matched by their ISPyB natural keys
(a raw dataset by the ``imageDirectory``, ``imagePrefix`` and
``dataCollectionNumber`` in its scientific metadata), so a duplicate or a
missing record is found whatever its pid; pids and sample ids are then compared
with the mapping's deterministic ones (``scicatlive.mapping.Identifiers``) for
the target's site and pid prefix.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scicatlive.checks.consistency_read import (
    Catalogue,
    ispyb_side,
    scicat_catalogue,
    scicat_totals,
    value_of,
)
from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed
from scicatlive.domain import model as m
from scicatlive.mapping import Identifiers, proposal_group

MAX_LISTED = 5
# DataCollection fields that are catalogue facts, not collection parameters (as in the mapping).
NOT_PARAMETERS = frozenset({"files", "published", "autoProcPrograms"})
HIERARCHY_TYPES = ("shipment", "dewar", "puck")

Doc = dict[str, Any]


# -- comparing ---------------------------------------------------------------------------------


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
    side = ispyb_side(ctx)
    graph = side.graph
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
    _fail(problems, total, f"data collections ({side.describe_sample()}) differ from SciCat")
    return (f"{side.describe_sample()}: {total} data collections each have exactly one raw dataset "
            "with their parameters, files and group")  # fmt: skip


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
        if not same(expected, value_of(meta, name)):
            problems.append(f"{label}: raw dataset {pid}: expected {name} = {expected!r}, found {value_of(meta, name)!r}")
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
    side = ispyb_side(ctx)
    graph = side.graph
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
    _fail(problems, total, f"processing runs ({side.describe_sample()}) differ from SciCat")
    return (f"{side.describe_sample()}: {total} processing runs each have a derived dataset whose "
            "inputDatasets is their raw dataset")  # fmt: skip


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
    side = ispyb_side(ctx)
    graph = side.graph
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
    _fail(problems, len(expected), f"ISPyB samples ({layout} layout, {side.describe_sample()}) differ from SciCat")
    kinds = Counter(w.kind for w in expected)
    return (f"{side.describe_sample()}, {layout} layout: "
            + ", ".join(f"{n} {k}" for k, n in kinds.items()) + " samples all in SciCat")  # fmt: skip


# -- consistency.counts ------------------------------------------------------------------------


def consistency_counts(ctx: CheckContext) -> str:
    """Exact totals of the whole facility, and the sampled proposals' files."""
    side = ispyb_side(ctx)
    found = scicat_totals(ctx)
    catalogue = scicat_catalogue(ctx)
    collections = [c for _, c in _collections(side.graph)]
    expected = {
        "proposals": side.totals["proposals"],
        "raw datasets": side.totals["data collections"],
        "derived datasets": side.totals["processing runs"],
        "crystals": side.totals["crystals"],
    }
    if expected["derived datasets"] is None:  # this ISPyB lists runs per collection only: the sample's
        expected["derived datasets (sampled)"] = sum(len(c.autoProcPrograms) for c in collections)
        found = {**found, "derived datasets (sampled)": len(catalogue.derived)}
        del expected["derived datasets"]
    differ = [f"{k}: ISPyB {expected[k]}, SciCat {found[k]}" for k in expected if expected[k] != found[k]]
    blocks_expected = len(collections) + sum(len(c.autoProcPrograms) for c in collections)
    pids = {str(d.get("pid")) for d in catalogue.raw + catalogue.derived}
    blocks_found = sum(len(b) for pid, b in catalogue.blocks.items() if pid in pids)
    if blocks_found != blocks_expected:
        differ.append(f"origdatablocks ({side.describe_sample()}): ISPyB {blocks_expected}, SciCat {blocks_found}")
    if differ:
        raise CheckFailed(f"expected equal counts for the {expected['proposals']} ISPyB proposals, found " + "; ".join(differ))
    return (", ".join(f"{n} {k}" for k, n in expected.items()) + " on both sides; "
            f"{blocks_expected} origdatablocks for {side.describe_sample()}")  # fmt: skip


NEEDS: frozenset[Any] = frozenset({"ispyb", "seeded"})
CHECKS = [
    Check("consistency.datasets", "every ISPyB data collection has exactly one raw dataset with its parameters, files and group", consistency_datasets, needs=NEEDS),
    Check("consistency.derived", "every auto-processing run has a derived dataset whose inputDatasets is its raw dataset", consistency_derived, needs=NEEDS),
    Check("consistency.samples", "every ISPyB sample (and, when hierarchical, its puck, dewar and shipment) exists in SciCat", consistency_samples, needs=NEEDS),
    Check("consistency.counts", "proposals, raw and derived datasets, samples and origdatablocks: equal counts on both sides", consistency_counts, needs=NEEDS),
]
