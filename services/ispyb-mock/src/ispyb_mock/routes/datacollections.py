"""Data collections: written per group and collection, listed as py-ISPyB events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    desc,
    distinct,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from ..access import name_filter, visible
from ..deps import Db, Page, User, Writer
from ..errors import RuleViolation
from ..models import (
    AutoProcIntegration,
    AutoProcProgram,
    BLSample,
    BLSession,
    Crystal,
    DataCollection,
    DataCollectionGroup,
    Proposal,
)
from ..schemas.common import Paginated
from ..schemas.datacollections import (
    DataCollectionCreate,
    DataCollectionOut,
    EventOut,
    GroupCreate,
    GroupOut,
)
from ..store.collections import create_collection, create_group

router = APIRouter(tags=["data collections"])

Status = Literal["success", "failed", "processed", "processerror"]


@router.post("/datacollections/groups", status_code=201, response_model=GroupOut)
def post_group(body: GroupCreate, db: Db, user: Writer) -> GroupOut:
    """Create a data collection group: one sample, one session, one experiment."""
    group = create_group(db, user, body)
    db.commit()
    return GroupOut.model_validate(group)


@router.post("/datacollections", status_code=201, response_model=DataCollectionOut)
def post_collection(body: DataCollectionCreate, db: Db, user: Writer) -> DataCollectionOut:
    """Create a data collection (a sweep) in a group."""
    collection = create_collection(db, user, body)
    db.commit()
    db.refresh(collection)
    return DataCollectionOut.model_validate(collection)


def _session_filter(session: str) -> ColumnElement[bool]:
    proposal, _, visit = session.rpartition("-")
    if not proposal or not visit.isdigit():
        raise RuleViolation(f"session {session!r} is not of the form <proposal>-<n>", "session")
    return name_filter(proposal, BLSession.proposalId) & (BLSession.visit_number == int(visit))


def _status_filter(status: Status) -> ColumnElement[bool]:
    success = DataCollection.runStatus.like("%success%")
    integrated = exists().where(
        AutoProcIntegration.dataCollectionId == DataCollection.dataCollectionId
    )
    failed_run = exists().where(
        AutoProcProgram.dataCollectionId == DataCollection.dataCollectionId,
        AutoProcProgram.processingStatus.in_(["FAILED", "0"]),
    )
    conditions = {
        "success": success,
        "failed": or_(not_(success), DataCollection.runStatus.is_(None)),
        "processed": integrated,
        "processerror": failed_run,
    }
    return conditions[status]


@router.get("/events", response_model=Paginated[EventOut])
def list_events(
    db: Db,
    user: User,
    page: Page,
    session: Annotated[str | None, Query(description="Session name, <proposal>-<n>")] = None,
    sessionId: Annotated[int | None, Query()] = None,
    proposal: Annotated[str | None, Query()] = None,
    beamLineName: Annotated[str | None, Query()] = None,
    dataCollectionId: Annotated[int | None, Query()] = None,
    dataCollectionGroupId: Annotated[
        int | None, Query(description="List this group's collections one by one")
    ] = None,
    blSampleId: Annotated[int | None, Query()] = None,
    proteinId: Annotated[int | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
) -> Paginated[EventOut]:
    """Data collections, newest first; one event per group unless a group is asked for."""
    grouped = dataCollectionGroupId is None
    seconds = func.time_to_sec(func.timediff(DataCollection.endTime, DataCollection.startTime))
    columns: list[Any] = (
        [
            func.min(DataCollection.dataCollectionId),
            func.min(DataCollection.startTime),
            func.max(DataCollection.endTime),
            func.sum(seconds),
            func.count(),
        ]
        if grouped
        else [
            DataCollection.dataCollectionId,
            DataCollection.startTime,
            DataCollection.endTime,
            seconds,
            literal(1),
        ]
    )
    labels = ("id", "startTime", "endTime", "duration", "count")
    conditions = [visible(user, BLSession.proposalId), name_filter(proposal, BLSession.proposalId)]
    filters = {
        "session": (session, lambda: _session_filter(session or "")),
        "sessionId": (sessionId, lambda: BLSession.sessionId == sessionId),
        "beamLineName": (beamLineName, lambda: BLSession.beamLineName == beamLineName),
        "dataCollectionId": (
            dataCollectionId,
            lambda: DataCollection.dataCollectionId == dataCollectionId,
        ),
        "dataCollectionGroupId": (
            dataCollectionGroupId,
            lambda: DataCollectionGroup.dataCollectionGroupId == dataCollectionGroupId,
        ),
        "blSampleId": (blSampleId, lambda: DataCollectionGroup.blSampleId == blSampleId),
        "proteinId": (
            proteinId,
            lambda: DataCollectionGroup.blSampleId.in_(
                select(BLSample.blSampleId)
                .join(BLSample.Crystal)
                .where(Crystal.proteinId == proteinId)
            ),
        ),
        "status": (status, lambda: _status_filter(status or "success")),
    }
    conditions += [condition() for value, condition in filters.values() if value is not None]
    own_columns = {"dataCollectionId", "status"}  # filters on DataCollection alone
    joined = (
        not user.sees_all
        or any(value is not None for name, (value, _) in filters.items() if name not in own_columns)
        or proposal is not None
    )

    def source(*selected: Any) -> Select[Any]:
        query = select(*selected).select_from(DataCollection)
        if joined:
            query = query.join(DataCollection.DataCollectionGroup).join(
                DataCollectionGroup.BLSession
            )
        return query.where(*conditions)

    counted = distinct(DataCollection.dataCollectionGroupId) if grouped else literal(1)
    total = db.scalar(source(func.count(counted))) or 0
    query = source(*(column.label(label) for column, label in zip(columns, labels, strict=True)))
    if grouped:
        query = query.group_by(DataCollection.dataCollectionGroupId)
    query = query.order_by(desc("startTime"), desc("id"))
    rows = db.execute(query.offset(page.skip).limit(page.limit)).mappings().all()
    return Paginated(total=total, results=_events(db, rows), skip=page.skip, limit=page.limit)


def _events(db: Db, rows: Sequence[RowMapping]) -> list[EventOut]:
    """Attach to each event its data collection, session and sample names."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    collections = {
        dc.dataCollectionId: dc
        for dc in db.scalars(
            select(DataCollection)
            .options(selectinload(DataCollection.DataCollectionGroup))
            .where(DataCollection.dataCollectionId.in_(ids))
        )
    }
    session_ids = {dc.DataCollectionGroup.sessionId for dc in collections.values()}
    sessions = {
        session_id: (f"{code}{number}", f"{code}{number}-{visit}")
        for session_id, code, number, visit in db.execute(
            select(
                BLSession.sessionId,
                Proposal.proposalCode,
                Proposal.proposalNumber,
                BLSession.visit_number,
            )
            .join(Proposal, Proposal.proposalId == BLSession.proposalId)
            .where(BLSession.sessionId.in_(session_ids))
        )
    }
    sample_ids = {dc.DataCollectionGroup.blSampleId for dc in collections.values()}
    samples = dict(
        db.execute(
            select(BLSample.blSampleId, BLSample.name).where(BLSample.blSampleId.in_(sample_ids))
        ).all()
    )
    events = []
    for row in rows:
        item = collections[row["id"]]
        group = item.DataCollectionGroup
        proposal, session = sessions[group.sessionId]
        events.append(
            EventOut(
                id=row["id"],
                type="dc",
                startTime=row["startTime"],
                endTime=row["endTime"],
                duration=row["duration"],
                count=row["count"],
                session=session,
                sessionId=group.sessionId,
                proposal=proposal,
                blSample=samples.get(group.blSampleId),
                blSampleId=group.blSampleId,
                Item=DataCollectionOut.model_validate(item),
            )
        )
    return events
