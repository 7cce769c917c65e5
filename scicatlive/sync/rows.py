"""Read everything ISPyB serves about each proposal, as JSON rows, concurrently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scicatlive.asyncrun import gather
from scicatlive.clients.http import ApiError, AsyncSession
from scicatlive.clients.ispyb import read_all
from scicatlive.progress import Reporter

Row = dict[str, Any]


@dataclass
class ProposalRows:
    """Everything ISPyB serves about one proposal, as JSON rows."""

    proposal: Row
    sessions: list[Row] = field(default_factory=list)
    proteins: list[Row] = field(default_factory=list)
    shippings: list[Row] = field(default_factory=list)
    dewars: list[Row] = field(default_factory=list)
    containers: list[Row] = field(default_factory=list)
    samples: list[Row] = field(default_factory=list)
    collections: list[Row] = field(default_factory=list)
    programs: dict[int, list[Row]] = field(
        default_factory=dict, metadata={"doc": "by dataCollectionId"}
    )
    attachments: dict[int, list[Row]] = field(
        default_factory=dict, metadata={"doc": "by autoProcProgramId"}
    )

    @property
    def name(self) -> str:
        return str(self.proposal["proposal"])


Selector = Callable[[list[Row]], list[Row]]


async def read_rows(api: AsyncSession, reporter: Reporter, select: Selector | None = None) -> list[ProposalRows]:
    """Every proposal's rows (or those ``select`` picks); read concurrently (the client bounds it)."""
    proposals = await read_all(api, "proposals", "proposals")
    if select is not None:
        proposals = select(proposals)
    done = 0
    reporter.progress("ISPyB proposals read", 0, len(proposals))

    async def one(row: Row) -> ProposalRows:
        nonlocal done
        read = await read_proposal(api, row)
        done += 1
        reporter.progress("ISPyB proposals read", done, len(proposals))
        return read

    return await gather([one(row) for row in sorted(proposals, key=lambda r: int(r["proposalId"]))])


async def read_proposal(api: AsyncSession, proposal: Row) -> ProposalRows:
    """Everything ISPyB serves about one proposal (its row as ``/proposals`` lists it)."""
    rows = ProposalRows(proposal)
    name, query = rows.name, {"proposal": rows.name}
    lists = ("sessions", "proteins", "shippings", "dewars", "containers", "samples")
    *tables, events = await gather(
        [read_all(api, path, f"{path} of {name}", query) for path in lists]
        + [read_all(api, "events", f"data collections of {name}", query)]
    )
    for path, table in zip(lists, tables, strict=True):
        setattr(rows, path, table)
    rows.collections = await _collections(api, name, events)
    collections = {int(c["dataCollectionId"]) for c in rows.collections}
    runs = await _per_proposal(
        api, "processings/auto-integrations", f"processing runs of {name}", name,
        [({"dataCollectionId": str(dc)}, f"processing of data collection {dc}") for dc in sorted(collections)],
    )  # fmt: skip
    for program in runs:
        dc_id = _collection_of(program)
        if dc_id in collections:
            rows.programs.setdefault(dc_id, []).append(program)
    with_files = [p for found in rows.programs.values() for p in found if (p.get("_metadata") or {}).get("attachments", 1)]
    programs = {int(p["autoProcProgramId"]) for p in with_files}
    files = await _per_proposal(
        api, "processings/attachments", f"processing attachments of {name}", name,
        [({"autoProcProgramId": str(run)}, f"attachments of processing run {run}") for run in sorted(programs)],
    )  # fmt: skip
    for attachment in files:
        run_id = int(attachment["autoProcProgramId"])
        if run_id in programs:
            rows.attachments.setdefault(run_id, []).append(attachment)
    return rows


async def _per_proposal(
    api: AsyncSession, path: str, what: str, proposal: str, one_by_one: list[tuple[dict[str, str], str]]
) -> list[Row]:
    """A proposal's rows in pages (scicatlive's ISPyB serves ``?proposal=``); else one parent at a time.

    A server that ignores the filter answers rows of other proposals too: the callers keep
    only the rows of this proposal's parents, so the result is right either way.
    """
    if not one_by_one:
        return []
    try:
        return await read_all(api, path, what, {"proposal": proposal})
    except ApiError as error:
        if error.status not in (400, 422):
            raise
    lists = await gather([read_all(api, path, label, query) for query, label in one_by_one])
    return [row for found in lists for row in found]


def _collection_of(run: Row) -> int:
    if run.get("dataCollectionId") is not None:
        return int(run["dataCollectionId"])
    integrations: list[Row] = run.get("AutoProcIntegration") or [{}]
    return int(integrations[0].get("dataCollectionId") or 0)


async def _collections(api: AsyncSession, proposal: str, events: list[Row]) -> list[Row]:
    """The data collections of ``/events`` (one per group), plus the rest of groups holding more.

    py-ISPyB's ``/events`` also lists robot actions, fluorescence spectra and energy scans.
    """
    events = [e for e in events if e.get("type", "dc") == "dc"]
    collections = {int(e["Item"]["dataCollectionId"]): e["Item"] for e in events}
    crowded = [
        int(e["Item"]["dataCollectionGroupId"]) for e in events if int(e.get("count", 1)) > 1
    ]
    members = await gather(
        [
            read_all(api, "events", f"data collections of group {group} ({proposal})",
                         {"proposal": proposal, "dataCollectionGroupId": str(group)})
            for group in crowded
        ]
    )  # fmt: skip
    for group_events in members:
        collections |= {int(e["Item"]["dataCollectionId"]): e["Item"] for e in group_events if e.get("type", "dc") == "dc"}
    return [collections[key] for key in sorted(collections)]
