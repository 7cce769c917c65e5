"""What the consistency checks compare: exact totals of both sides, and a sample read in full.

A full comparison grows with the catalogue, so it covers a deterministic sample of the
proposals (the first ``SAMPLE_PROPOSALS`` by a hash of their names: the same ones on
every run, spread over the facility), read in pages on both sides. The totals (proposals,
data collections, processing runs, crystals) are exact for the whole facility, read as
page totals on ISPyB and as counts on SciCat. A small catalogue is compared in full.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scicatlive.asyncrun import run_sync
from scicatlive.checks.context import ADMIN, CheckContext
from scicatlive.checks.model import CheckFailed, CheckSkipped
from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients.http import ApiError, RetryPolicy, Session
from scicatlive.clients.scicat import V3
from scicatlive.domain import model as m
from scicatlive.errors import ScicatliveError
from scicatlive.sync import FacilityFacts, read_facility

SAMPLE_PROPOSALS = 10
PAGE = 1000
NAMES_PER_QUERY = 200  # proposal names in one `inq`, so a query string stays short
PIDS_PER_QUERY = 200  # dataset pids (~80 URL-encoded characters each) in one `inq`: under httpx's 64 KiB query
CHECK_RETRY = RetryPolicy(deadline=10.0, attempts=2, first_delay=0.1, max_delay=0.2)

Doc = dict[str, Any]


def sample_of(proposals: list[Doc]) -> list[Doc]:
    """The proposals compared in full: a fixed, hash-ordered choice (all of a small facility)."""
    def rank(row: Doc) -> str:
        return hashlib.sha256(str(row["proposal"]).encode()).hexdigest()

    return sorted(proposals, key=rank)[:SAMPLE_PROPOSALS]


@dataclass
class IspybSide:
    graph: m.FacilityGraph  # the sampled proposals, read in full
    totals: dict[str, int | None]  # the whole facility (None: this ISPyB cannot tell)
    names: list[str]  # every proposal of the facility

    def describe_sample(self) -> str:
        sampled, total = len(self.graph.proposals), self.totals["proposals"]
        if total is None:
            return f"{sampled} proposals"
        return f"all {total} proposals" if sampled >= total else f"a sample of {sampled} of {total} proposals"


def ispyb_side(ctx: CheckContext) -> IspybSide:
    return ctx.shared("ispyb.side", lambda: _read_ispyb(ctx))


def _read_ispyb(ctx: CheckContext) -> IspybSide:
    if ctx.target.ispyb_url is None:
        raise CheckSkipped("no ISPyB URL (--ispyb-url)")
    ctx.password(ADMIN)  # skips the check when the target has no admin account
    try:
        graph = run_sync(read_facility(
            ctx.target, FacilityFacts(site=ctx.target.site), account=ADMIN, retry=CHECK_RETRY,
            transport=ctx.async_transport, select=sample_of,
        ))  # fmt: skip
        totals, names = _ispyb_totals(ctx.ispyb(ADMIN))
    except ScicatliveError as error:
        raise CheckFailed(f"read ISPyB: {error.message}") from None
    if not totals["data collections"]:
        raise CheckSkipped("ISPyB holds no data collections: nothing was seeded (`scicatlive seed tiny`)")
    return IspybSide(graph, totals, names)


def _total(ispyb: Session, path: str, what: str) -> int:
    return ispyb.run(ispyb_api.page(path, what, limit=1)).total


def _optional_total(ispyb: Session, path: str, what: str) -> int | None:
    """A facility-wide page total, or None where this ISPyB lists them only per parent."""
    try:
        return _total(ispyb, path, what)
    except ApiError as error:
        if error.status in (400, 404, 405, 422):
            return None
        raise


def _ispyb_totals(ispyb: Session) -> tuple[dict[str, int | None], list[str]]:
    names = [str(p["proposal"]) for p in _pages(ispyb, "proposals", "proposals")]
    totals: dict[str, int | None] = {
        "proposals": len(names),
        "data collections": _collection_total(ispyb),
        "processing runs": _optional_total(ispyb, "processings/auto-integrations", "processing runs"),
        "crystals": _total(ispyb, "samples", "samples"),
    }
    return totals, names


def _collection_total(ispyb: Session) -> int:
    """Data collections: a page total where the ISPyB lists them, else summed from the events."""
    total = _optional_total(ispyb, "datacollections", "data collections")
    if total is not None:
        return total
    events = _pages(ispyb, "events", "data collection events")
    return sum(int(e.get("count", 1)) for e in events if e.get("type", "dc") == "dc")


def _pages(ispyb: Session, path: str, what: str) -> Iterator[Doc]:
    skip = 0
    while True:
        found = ispyb.run(ispyb_api.page(path, what, skip=skip))
        yield from found.results
        skip += len(found.results)
        if not found.results or skip >= found.total:
            return


@dataclass
class Catalogue:
    """What SciCat holds for the sampled proposals."""

    proposals: dict[str, Doc]
    raw: list[Doc]
    derived: list[Doc]
    samples: dict[str, Doc]
    blocks: dict[str, list[Doc]] = field(default_factory=dict)  # by datasetId

    def raw_by_key(self) -> dict[str, list[Doc]]:
        found: dict[str, list[Doc]] = defaultdict(list)
        for dataset in self.raw:
            meta = dataset.get("scientificMetadata") or {}
            key = f"{value_of(meta, 'imageDirectory')}{value_of(meta, 'imagePrefix')}_{value_of(meta, 'dataCollectionNumber')}"
            found[key].append(dataset)
        return found


def value_of(meta: Doc, key: str) -> Any:
    entry = meta.get(key)
    return entry.get("value") if isinstance(entry, dict) else entry


def scicat_catalogue(ctx: CheckContext) -> Catalogue:
    return ctx.shared("scicat.catalogue", lambda: _read_scicat(ctx, ispyb_side(ctx).graph))


def _read_scicat(ctx: CheckContext, graph: m.FacilityGraph) -> Catalogue:
    admin = ctx.scicat(ADMIN)
    where = {"proposalId": {"inq": [p.proposal for p in graph.proposals]}}
    datasets = list(scicat_pages(admin, "datasets", where, "filter"))
    samples = list(scicat_pages(admin, "samples", where, "filter"))
    proposals = list(scicat_pages(admin, "proposals", where, "filters"))
    pids = [d["pid"] for d in datasets]
    blocks: dict[str, list[Doc]] = defaultdict(list)
    for start in range(0, len(pids), PIDS_PER_QUERY):
        batch = {"datasetId": {"inq": pids[start : start + PIDS_PER_QUERY]}}
        for block in scicat_pages(admin, "origdatablocks", batch, "filter"):
            blocks[str(block.get("datasetId"))].append(block)
    return Catalogue(
        proposals={str(p.get("proposalId")): p for p in proposals},
        raw=[d for d in datasets if d.get("type") == "raw"],
        derived=[d for d in datasets if d.get("type") == "derived"],
        samples={str(s.get("sampleId")): s for s in samples},
        blocks=dict(blocks),
    )


def scicat_pages(client: Session, what: str, where: Doc, param: str, fields: list[str] | None = None) -> Iterator[Doc]:
    skip = 0
    while True:
        query: Doc = {"where": where, "limits": {"limit": PAGE, "skip": skip}}
        if fields:
            query["fields"] = fields
        page = client.expect(f"list SciCat {what} as {ADMIN}", "GET", f"{V3}/{what}",
                             params={param: json.dumps(query)}, status=(200,))  # fmt: skip
        yield from page
        skip += len(page)
        if len(page) < PAGE:
            return


def scicat_totals(ctx: CheckContext) -> dict[str, int]:
    return ctx.shared("scicat.totals", lambda: _scicat_totals(ctx, ispyb_side(ctx).names))


def _scicat_totals(ctx: CheckContext, names: list[str]) -> dict[str, int]:
    """SciCat's records of ISPyB's proposals, counted (or paged with one field) in name batches."""
    admin = ctx.scicat(ADMIN)
    totals = dict.fromkeys(("proposals", "raw datasets", "derived datasets", "crystals"), 0)
    for start in range(0, len(names), NAMES_PER_QUERY):
        batch = {"inq": names[start : start + NAMES_PER_QUERY]}
        totals["proposals"] += sum(1 for _ in scicat_pages(admin, "proposals", {"proposalId": batch}, "filters", ["proposalId"]))
        for kind in ("raw", "derived"):
            where = {"type": kind, "proposalId": batch}
            found = admin.expect(f"count SciCat {kind} datasets as {ADMIN}", "GET", f"{V3}/datasets/count",
                                 params={"filter": json.dumps({"where": where})}, status=(200,))  # fmt: skip
            totals[f"{kind} datasets"] += int((found or {}).get("count", 0))
        crystals = {"type": "crystal", "proposalId": batch}
        totals["crystals"] += sum(1 for _ in scicat_pages(admin, "samples", crystals, "filter", ["sampleId"]))
    return totals
