"""``GET /events``: py-ISPyB's event list, the union of data collections (one per group,
or one per collection within a group), robot actions, fluorescence spectra and energy
scans, newest first.

As upstream: filters on a collection or group keep only collections; ``status``
``success``/``failed`` also applies to robot actions and drops spectra and scans;
``eventType`` ``robot``, ``xrf`` or ``es`` keeps only that kind, any other value is a
collection group's ``experimentType``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    desc,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ..access import name_filter, session_filter, visible
from ..auth import CurrentUser
from ..models import (
    AutoProcIntegration,
    AutoProcProgram,
    BLSample,
    BLSession,
    Crystal,
    DataCollection,
    DataCollectionGroup,
    EnergyScan,
    RobotAction,
    XFEFluorescenceSpectrum,
)

Status = Literal["success", "failed", "processed", "processerror"]
OTHER_KINDS = ("robot", "xrf", "es")


@dataclass(frozen=True)
class EventFilter:
    session: str | None = None
    sessionId: int | None = None
    proposal: str | None = None
    proposalId: int | None = None
    beamLineName: str | None = None
    dataCollectionId: int | None = None
    dataCollectionGroupId: int | None = None
    blSampleId: int | None = None
    proteinId: int | None = None
    status: Status | None = None
    eventType: str | None = None


LABELS = ("id", "startTime", "endTime", "duration", "count", "type", "sessionId", "blSampleId")


def _labelled(columns: list[Any]) -> Select[Any]:
    return select(*(column.label(label) for column, label in zip(columns, LABELS, strict=True)))


def _seconds(start: Any, end: Any) -> Any:
    return func.time_to_sec(func.timediff(end, start))


def _dc_status(status: Status) -> ColumnElement[bool]:
    success = DataCollection.runStatus.like("%success%")
    integrated = exists().where(
        AutoProcIntegration.dataCollectionId == DataCollection.dataCollectionId
    )
    failed_run = exists().where(
        AutoProcProgram.dataCollectionId == DataCollection.dataCollectionId,
        AutoProcProgram.processingStatus.in_(["FAILED", "0"]),
    )
    return {
        "success": success,
        "failed": or_(not_(success), DataCollection.runStatus.is_(None)),
        "processed": integrated,
        "processerror": failed_run,
    }[status]


def _common(
    user: CurrentUser, where: EventFilter, sample: ColumnElement[int]
) -> list[ColumnElement[bool]]:
    """Filters every kind of event takes, on its session and its sample column."""
    conditions = [
        visible(user, BLSession.proposalId),
        name_filter(where.proposal, BLSession.proposalId),
    ]
    if where.session is not None:
        conditions.append(session_filter(where.session))
    optional = {
        "sessionId": (where.sessionId, lambda: BLSession.sessionId == where.sessionId),
        "proposalId": (where.proposalId, lambda: BLSession.proposalId == where.proposalId),
        "beamLineName": (where.beamLineName, lambda: BLSession.beamLineName == where.beamLineName),
        "blSampleId": (where.blSampleId, lambda: sample == where.blSampleId),
        "proteinId": (
            where.proteinId,
            lambda: sample.in_(
                select(BLSample.blSampleId)
                .join(BLSample.Crystal)
                .where(Crystal.proteinId == where.proteinId)
            ),
        ),
    }
    return conditions + [condition() for value, condition in optional.values() if value is not None]


def _collections(user: CurrentUser, where: EventFilter) -> Select[Any]:
    grouped = where.dataCollectionGroupId is None
    seconds = _seconds(DataCollection.startTime, DataCollection.endTime)
    if grouped:
        columns = [
            func.min(DataCollection.dataCollectionId), func.min(DataCollection.startTime),
            func.max(DataCollection.endTime), func.sum(seconds), func.count(),
        ]  # fmt: skip
    else:
        columns = [
            DataCollection.dataCollectionId, DataCollection.startTime, DataCollection.endTime,
            seconds, literal(1),
        ]  # fmt: skip
    query = (
        _labelled(
            columns + [literal("dc"), DataCollectionGroup.sessionId, DataCollectionGroup.blSampleId]
        )
        .select_from(DataCollection)
        .join(DataCollection.DataCollectionGroup)
        .join(DataCollectionGroup.BLSession)
        .where(*_common(user, where, DataCollectionGroup.blSampleId))
    )
    if where.dataCollectionId is not None:
        query = query.where(DataCollection.dataCollectionId == where.dataCollectionId)
    if where.dataCollectionGroupId is not None:
        query = query.where(DataCollection.dataCollectionGroupId == where.dataCollectionGroupId)
    if where.status is not None:
        query = query.where(_dc_status(where.status))
    if where.eventType is not None:
        query = query.where(
            false() if where.eventType in OTHER_KINDS
            else DataCollectionGroup.experimentType == where.eventType
        )  # fmt: skip
    if grouped:
        query = query.group_by(
            DataCollection.dataCollectionGroupId,
            DataCollectionGroup.sessionId,
            DataCollectionGroup.blSampleId,
        )
    return query


def _others(user: CurrentUser, where: EventFilter) -> list[Select[Any]]:
    kinds: list[tuple[str, Any, Any, Any, Any, Any]] = [
        ("robot", RobotAction.robotActionId, RobotAction.startTimestamp,
         RobotAction.endTimestamp, RobotAction.blsessionId, RobotAction.blsampleId),
        ("xrf", XFEFluorescenceSpectrum.xfeFluorescenceSpectrumId,
         XFEFluorescenceSpectrum.startTime, XFEFluorescenceSpectrum.endTime,
         XFEFluorescenceSpectrum.sessionId, XFEFluorescenceSpectrum.blSampleId),
        ("es", EnergyScan.energyScanId, EnergyScan.startTime, EnergyScan.endTime,
         EnergyScan.sessionId, EnergyScan.blSampleId),
    ]  # fmt: skip
    queries = []
    collection_only = where.dataCollectionId is not None or where.dataCollectionGroupId is not None
    for kind, key, start, end, session_id, sample_id in kinds:
        query = (
            _labelled(
                [
                    key,
                    start,
                    end,
                    _seconds(start, end),
                    literal(1),
                    literal(kind),
                    session_id,
                    sample_id,
                ]
            )
            .select_from(key.table)
            .join(BLSession, BLSession.sessionId == session_id)
            .where(*_common(user, where, sample_id))
        )
        if collection_only or (where.eventType is not None and where.eventType != kind):
            query = query.where(false())
        if where.status is not None:
            if kind != "robot" or where.status not in ("success", "failed"):
                query = query.where(false())
            elif where.status == "success":
                query = query.where(RobotAction.status.like("%SUCCESS%"))
            else:
                query = query.where(
                    or_(RobotAction.status.is_(None), not_(RobotAction.status.like("%SUCCESS%")))
                )
        queries.append(query)
    return queries


def list_event_rows(
    db: Session, user: CurrentUser, where: EventFilter, skip: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """The total and one page of ``{id, type, startTime, endTime, duration, count,
    sessionId, blSampleId}``, newest first."""
    parts = [_collections(user, where), *_others(user, where)]
    union = union_all(*parts).subquery()
    total = db.scalar(select(func.count()).select_from(union)) or 0
    rows = db.execute(
        select(*union.c).order_by(desc("startTime"), desc("id")).offset(skip).limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]
