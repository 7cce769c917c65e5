"""``GET /events``: py-ISPyB's event list, the union of data collections (one per group,
or one per collection within a group), robot actions, fluorescence spectra and energy
scans, newest first.

As upstream: filters on a collection or group keep only collections; ``status``
``success``/``failed`` also applies to robot actions and drops spectra and scans;
``eventType`` ``robot``, ``xrf`` or ``es`` keeps only that kind, any other value is a
collection group's ``experimentType``.

Each kind is asked for its newest ``skip + limit`` rows and the page is merged here,
so the collections' query stays the one that walks DataCollection alone when the
reader sees everything (joining the session only to filter by it or by visibility).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
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


def _labelled(columns: list[Any]) -> list[Any]:
    return [column.label(label) for column, label in zip(columns, LABELS, strict=True)]


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


def _session_conditions(user: CurrentUser, where: EventFilter) -> list[ColumnElement[bool]]:
    """Conditions on BLSession (empty when the kind's rows need no join to it)."""
    conditions = [] if user.sees_all else [visible(user, BLSession.proposalId)]
    if where.proposal is not None:
        conditions.append(name_filter(where.proposal, BLSession.proposalId))
    if where.session is not None:
        conditions.append(session_filter(where.session))
    optional = {
        "sessionId": (where.sessionId, lambda: BLSession.sessionId == where.sessionId),
        "proposalId": (where.proposalId, lambda: BLSession.proposalId == where.proposalId),
        "beamLineName": (where.beamLineName, lambda: BLSession.beamLineName == where.beamLineName),
    }
    return conditions + [condition() for value, condition in optional.values() if value is not None]


def _sample_conditions(where: EventFilter, sample: Any) -> list[ColumnElement[bool]]:
    conditions = []
    if where.blSampleId is not None:
        conditions.append(sample == where.blSampleId)
    if where.proteinId is not None:
        conditions.append(
            sample.in_(
                select(BLSample.blSampleId)
                .join(BLSample.Crystal)
                .where(Crystal.proteinId == where.proteinId)
            )
        )
    return conditions


@dataclass(frozen=True)
class KindQuery:
    rows: Select[Any]  # id, startTime, endTime, duration, count, type, sessionId, blSampleId
    total: Select[Any]


def _collections(user: CurrentUser, where: EventFilter) -> KindQuery | None:
    if where.eventType in OTHER_KINDS:
        return None
    grouped = where.dataCollectionGroupId is None
    seconds = _seconds(DataCollection.startTime, DataCollection.endTime)
    sessions = _session_conditions(user, where)
    group_level = (
        bool(sessions) or where.blSampleId is not None or where.proteinId is not None
        or where.eventType is not None or not grouped
    )  # fmt: skip
    conditions = [*sessions, *_sample_conditions(where, DataCollectionGroup.blSampleId)]
    if where.dataCollectionId is not None:
        conditions.append(DataCollection.dataCollectionId == where.dataCollectionId)
    if where.dataCollectionGroupId is not None:
        conditions.append(DataCollection.dataCollectionGroupId == where.dataCollectionGroupId)
    if where.status is not None:
        conditions.append(_dc_status(where.status))
    if where.eventType is not None:
        conditions.append(DataCollectionGroup.experimentType == where.eventType)

    def source(*columns: Any) -> Select[Any]:
        query = select(*columns).select_from(DataCollection)
        if group_level:
            query = query.join(DataCollection.DataCollectionGroup)
        if sessions:
            query = query.join(DataCollectionGroup.BLSession)
        return query.where(*conditions)

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
    # The session and sample come from each event's collection (``Item``) afterwards.
    rows = source(*_labelled(columns + [literal("dc"), literal(None), literal(None)]))
    if grouped:
        rows = rows.group_by(DataCollection.dataCollectionGroupId)
    counted = distinct(DataCollection.dataCollectionGroupId) if grouped else literal(1)
    return KindQuery(rows, source(func.count(counted)))


def _others(user: CurrentUser, where: EventFilter) -> list[KindQuery]:
    kinds: list[tuple[str, Any, Any, Any, Any, Any]] = [
        ("robot", RobotAction.robotActionId, RobotAction.startTimestamp,
         RobotAction.endTimestamp, RobotAction.blsessionId, RobotAction.blsampleId),
        ("xrf", XFEFluorescenceSpectrum.xfeFluorescenceSpectrumId,
         XFEFluorescenceSpectrum.startTime, XFEFluorescenceSpectrum.endTime,
         XFEFluorescenceSpectrum.sessionId, XFEFluorescenceSpectrum.blSampleId),
        ("es", EnergyScan.energyScanId, EnergyScan.startTime, EnergyScan.endTime,
         EnergyScan.sessionId, EnergyScan.blSampleId),
    ]  # fmt: skip
    if where.dataCollectionId is not None or where.dataCollectionGroupId is not None:
        return []
    queries = []
    for kind, key, start, end, session_id, sample_id in kinds:
        if where.eventType is not None and where.eventType != kind:
            continue
        if where.status is not None and (
            kind != "robot" or where.status not in ("success", "failed")
        ):
            continue
        conditions = [*_session_conditions(user, where), *_sample_conditions(where, sample_id)]
        if where.status == "success":
            conditions.append(RobotAction.status.like("%SUCCESS%"))
        elif where.status == "failed":
            conditions.append(
                or_(RobotAction.status.is_(None), not_(RobotAction.status.like("%SUCCESS%")))
            )

        columns = _labelled(
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
        rows = select(*columns).join(BLSession, BLSession.sessionId == session_id)
        total = select(func.count()).select_from(key.table)
        total = total.join(BLSession, BLSession.sessionId == session_id)
        queries.append(KindQuery(rows.where(*conditions), total.where(*conditions)))
    return queries


def list_event_rows(
    db: Session, user: CurrentUser, where: EventFilter, skip: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """The total and one page of ``{id, type, startTime, endTime, duration, count,
    sessionId, blSampleId}``, newest first (``sessionId``/``blSampleId`` of collections
    are filled in from their items)."""
    dc = _collections(user, where)
    kinds = ([dc] if dc is not None else []) + _others(user, where)
    counts = [db.scalar(kind.total) or 0 for kind in kinds]
    rows: list[dict[str, Any]] = []
    for kind, count in zip(kinds, counts, strict=True):
        if count:  # most sessions have no robot actions, scans or spectra
            newest = kind.rows.order_by(desc("startTime"), desc("id")).limit(skip + limit)
            rows += [dict(row) for row in db.execute(newest).mappings()]
    rows.sort(
        key=lambda r: (r["startTime"] is not None, r["startTime"] or datetime.min, r["id"]),
        reverse=True,
    )
    return sum(counts), rows[skip : skip + limit]
