"""ISPyB's change feed, and reading just what a proposal's changes need.

``GET /changes?after=<cursor>`` (the ISPyB mock's extension, see its README) lists the
sessions, data collections and processing runs changed since a cursor, each once at
the position of its latest change. :func:`by_proposal` groups a page by proposal;
:func:`read_changed` reads what mapping those changes needs: the proposal's small
tables (sessions, proteins, shipments, dewars, pucks, samples) in full, and only the
changed collections with their processing runs and attachments, unless so many
changed that reading the whole proposal at once is cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from scicatlive.asyncrun import gather
from scicatlive.clients.http import ApiError, AsyncSession, Call, json_body
from scicatlive.clients.ispyb import ISPYB_API, read_all
from scicatlive.sync.build import IspybDataError
from scicatlive.sync.rows import ProposalRows, Row, read_proposal

# Above this many changed collections in one proposal, read the whole proposal instead
# (about ten requests) of three requests per collection.
WHOLE_PROPOSAL_ABOVE = 8
SMALL_TABLES = ("sessions", "proteins", "shippings", "dewars", "containers", "samples")


class Change(BaseModel):
    position: int
    type: Literal["session", "dc", "processing"]
    id: int
    sessionId: int
    dataCollectionId: int | None = None
    autoProcProgramId: int | None = None
    proposal: str


class ChangePage(BaseModel):
    total: int
    results: list[Change]
    next: str
    head: int
    epoch: str


def changes(after: str, limit: int) -> Call[ChangePage]:
    def read(answer: Any) -> ChangePage:
        try:
            return ChangePage.model_validate(answer.json())
        except ValueError:
            raise IspybDataError("read ISPyB's change feed: not a page of changes") from None

    query = {"after": after, "limit": str(limit)}
    return Call("read ISPyB's change feed", "GET", f"{ISPYB_API}/changes", read, params=query)


def one_collection(dc_id: int) -> Call[Any]:
    return Call(f"read data collection {dc_id} from ISPyB", "GET", f"{ISPYB_API}/datacollections/{dc_id}", json_body)


@dataclass
class ProposalChanges:
    """What changed in one proposal, by ISPyB id."""

    proposal: str
    sessions: set[int] = field(default_factory=set)
    collections: set[int] = field(default_factory=set)
    programs: dict[int, int] = field(default_factory=dict, metadata={"doc": "changed run -> its collection"})

    @property
    def involved_collections(self) -> set[int]:
        return self.collections | set(self.programs.values())

    def __len__(self) -> int:
        return len(self.sessions) + len(self.collections) + len(self.programs)

    def split(self) -> list[ProposalChanges]:
        """One change per part (to isolate the one a bad row breaks)."""
        parts = [ProposalChanges(self.proposal, sessions={s}) for s in sorted(self.sessions)]
        parts += [ProposalChanges(self.proposal, collections={c}) for c in sorted(self.collections)]
        parts += [ProposalChanges(self.proposal, programs={run: dc}) for run, dc in sorted(self.programs.items())]
        return parts

    def describe(self) -> str:
        kinds = (("session", self.sessions), ("collection", self.collections), ("processing run", self.programs))
        return f"{self.proposal}: " + ", ".join(f"{len(ids)} {name}{'s' * (len(ids) != 1)}" for name, ids in kinds if ids)


def by_proposal(page: list[Change]) -> list[ProposalChanges]:
    """The page's changes grouped by proposal, in the order the proposals first appear."""
    grouped: dict[str, ProposalChanges] = {}
    for change in page:
        found = grouped.setdefault(change.proposal, ProposalChanges(change.proposal))
        if change.type == "session":
            found.sessions.add(change.id)
        elif change.type == "dc":
            found.collections.add(change.id)
        elif change.dataCollectionId is not None:
            found.programs[change.id] = change.dataCollectionId
    return list(grouped.values())


async def read_changed(api: AsyncSession, changed: ProposalChanges) -> ProposalRows:
    """The proposal's rows that mapping ``changed`` needs (see the module's docstring)."""
    name = changed.proposal
    found = await read_all(api, "proposals", f"proposal {name}", {"proposal": name})
    if not found:
        raise IspybDataError(f"ISPyB lists changes of proposal {name}, but does not serve it")
    if len(changed.involved_collections) > WHOLE_PROPOSAL_ABOVE:
        return await read_proposal(api, found[0])
    rows = ProposalRows(found[0])
    query = {"proposal": name}
    tables = await gather(read_all(api, path, f"{path} of {name}", query) for path in SMALL_TABLES)
    for path, table in zip(SMALL_TABLES, tables, strict=True):
        setattr(rows, path, table)
    collections = await gather(_collection(api, dc) for dc in sorted(changed.involved_collections))
    rows.collections = [row for row in collections if row is not None]
    runs = await gather(
        read_all(api, "processings/auto-integrations", f"processing of data collection {row['dataCollectionId']}",
                 {"dataCollectionId": str(row["dataCollectionId"])})
        for row in rows.collections
    )  # fmt: skip
    for row, found_runs in zip(rows.collections, runs, strict=True):
        if found_runs:
            rows.programs[int(row["dataCollectionId"])] = found_runs
    with_files = [int(r["autoProcProgramId"]) for found_runs in runs for r in found_runs
                  if (r.get("_metadata") or {}).get("attachments", 1)]  # fmt: skip
    files = await gather(
        read_all(api, "processings/attachments", f"attachments of processing run {run}", {"autoProcProgramId": str(run)})
        for run in with_files
    )  # fmt: skip
    for run, attachments in zip(with_files, files, strict=True):
        if attachments:
            rows.attachments[run] = attachments
    return rows


async def _collection(api: AsyncSession, dc_id: int) -> Row | None:
    """One collection (``None`` when it is gone, or no longer visible)."""
    try:
        row: Row = await api.run(one_collection(dc_id))
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return row
