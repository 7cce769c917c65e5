"""Read everything ISPyB serves about each proposal, as JSON rows, concurrently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scicatlive.asyncrun import gather
from scicatlive.clients.http import AsyncSession
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


async def read_rows(api: AsyncSession, reporter: Reporter) -> list[ProposalRows]:
    """Every proposal's rows; proposals are read concurrently (the client bounds it)."""
    proposals = await read_all(api, "proposals", "proposals")
    done = 0
    reporter.progress("ISPyB proposals read", 0, len(proposals))

    async def one(row: Row) -> ProposalRows:
        nonlocal done
        read = await _read_proposal(api, row)
        done += 1
        reporter.progress("ISPyB proposals read", done, len(proposals))
        return read

    return await gather([one(row) for row in sorted(proposals, key=lambda r: int(r["proposalId"]))])


async def _read_proposal(api: AsyncSession, proposal: Row) -> ProposalRows:
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
    program_lists = await gather(
        [
            read_all(api, "processings/auto-integrations", f"processing of data collection {dc_id}",
                         {"dataCollectionId": str(dc_id)})
            for dc_id in (int(c["dataCollectionId"]) for c in rows.collections)
        ]
    )  # fmt: skip
    rows.programs = {
        int(c["dataCollectionId"]): runs
        for c, runs in zip(rows.collections, program_lists, strict=True)
    }
    with_files = [
        p
        for runs in program_lists
        for p in runs
        if (p.get("_metadata") or {}).get("attachments", 1)
    ]
    attachment_lists = await gather(
        [
            read_all(api, "processings/attachments", f"attachments of processing run {p['autoProcProgramId']}",
                         {"autoProcProgramId": str(p["autoProcProgramId"])})
            for p in with_files
        ]
    )  # fmt: skip
    rows.attachments = {
        int(p["autoProcProgramId"]): files
        for p, files in zip(with_files, attachment_lists, strict=True)
    }
    return rows


async def _collections(api: AsyncSession, proposal: str, events: list[Row]) -> list[Row]:
    """The data collections of ``/events`` (one per group), plus the rest of groups holding more."""
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
        collections |= {int(e["Item"]["dataCollectionId"]): e["Item"] for e in group_events}
    return [collections[key] for key in sorted(collections)]
