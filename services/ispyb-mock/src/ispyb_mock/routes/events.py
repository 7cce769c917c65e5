"""Events: py-ISPyB's list of what happened in sessions, and what MXCuBE posts of it
(robot actions, energy scans and their samples, fluorescence spectra).

The posts answer the new id as a JSON string: mxcubecore's client cannot take a
bare JSON number (it tests ``"results" in`` the body), and the ESRF energy-scan
caller passes the answer to ``int()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..deps import Db, Page, User
from ..models import (
    BLSample,
    BLSampleHasEnergyScan,
    BLSession,
    DataCollection,
    EnergyScan,
    Proposal,
    RobotAction,
    XFEFluorescenceSpectrum,
)
from ..schemas.acquisition import EnergyScanOut, RobotActionOut, XfeSpectrumOut
from ..schemas.common import Paginated
from ..schemas.datacollections import DataCollectionOut, EventOut
from ..schemas.mxcube import EnergyScanIn, EnergyScanSampleIn, RobotActionIn, XfeSpectrumIn
from ..store import events as store
from ..store.event_list import EventFilter, Status, list_event_rows

router = APIRouter(tags=["events"])


@router.get("/events", response_model=Paginated[EventOut])
def list_events(
    db: Db,
    user: User,
    page: Page,
    session: Annotated[str | None, Query(description="Session name, <proposal>-<n>")] = None,
    sessionId: Annotated[int | None, Query()] = None,
    proposal: Annotated[str | None, Query()] = None,
    proposalId: Annotated[int | None, Query()] = None,
    beamLineName: Annotated[str | None, Query()] = None,
    dataCollectionId: Annotated[int | None, Query()] = None,
    dataCollectionGroupId: Annotated[
        int | None, Query(description="List this group's collections one by one")
    ] = None,
    blSampleId: Annotated[int | None, Query()] = None,
    proteinId: Annotated[int | None, Query()] = None,
    status: Annotated[Status | None, Query()] = None,
    eventType: Annotated[
        str | None, Query(description="robot, xrf, es, or a group's experimentType")
    ] = None,
) -> Paginated[EventOut]:
    """Data collections (one event per group unless a group is asked for), robot
    actions, fluorescence spectra and energy scans, newest first."""
    where = EventFilter(
        session=session, sessionId=sessionId, proposal=proposal, proposalId=proposalId,
        beamLineName=beamLineName, dataCollectionId=dataCollectionId,
        dataCollectionGroupId=dataCollectionGroupId, blSampleId=blSampleId,
        proteinId=proteinId, status=status, eventType=eventType,
    )  # fmt: skip
    total, rows = list_event_rows(db, user, where, page.skip, page.limit)
    return Paginated(total=total, results=_events(db, rows), skip=page.skip, limit=page.limit)


def _items(db: Db, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, int], Any]:
    """Each event's row, as the schema of its kind."""
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["type"], []).append(row["id"])
    items: dict[tuple[str, int], Any] = {}
    if ids := wanted.get("dc"):
        query = (
            select(DataCollection)
            .options(selectinload(DataCollection.DataCollectionGroup))
            .where(DataCollection.dataCollectionId.in_(ids))
        )
        items |= {
            ("dc", dc.dataCollectionId): DataCollectionOut.model_validate(dc)
            for dc in db.scalars(query)
        }
    if ids := wanted.get("robot"):
        query = select(RobotAction).where(RobotAction.robotActionId.in_(ids))
        items |= {
            ("robot", r.robotActionId): RobotActionOut.model_validate(r) for r in db.scalars(query)
        }
    if ids := wanted.get("xrf"):
        query = select(XFEFluorescenceSpectrum).where(
            XFEFluorescenceSpectrum.xfeFluorescenceSpectrumId.in_(ids)
        )
        items |= {
            ("xrf", x.xfeFluorescenceSpectrumId): XfeSpectrumOut.model_validate(x)
            for x in db.scalars(query)
        }
    if ids := wanted.get("es"):
        links: dict[int, list[int]] = {}
        for scan_id, sample_id in db.execute(
            select(BLSampleHasEnergyScan.energyScanId, BLSampleHasEnergyScan.blSampleId)
            .where(BLSampleHasEnergyScan.energyScanId.in_(ids))
            .order_by(BLSampleHasEnergyScan.blSampleHasEnergyScanId)
        ):
            links.setdefault(scan_id, []).append(sample_id)
        for scan in db.scalars(select(EnergyScan).where(EnergyScan.energyScanId.in_(ids))):
            out = EnergyScanOut.model_validate(scan)
            items[("es", scan.energyScanId)] = out.model_copy(
                update={"sampleIds": links.get(scan.energyScanId, [])}
            )
    return items


def _events(db: Db, rows: Sequence[dict[str, Any]]) -> list[EventOut]:
    """Attach to each event its item, session and sample names."""
    if not rows:
        return []
    items = _items(db, rows)
    for row in rows:
        if row["type"] == "dc":  # the group's session and sample
            group = items[("dc", row["id"])].DataCollectionGroup
            row["sessionId"], row["blSampleId"] = group.sessionId, group.blSampleId
    session_ids = {row["sessionId"] for row in rows}
    sessions = {
        session_id: (f"{code}{number}", f"{code}{number}-{visit}")
        for session_id, code, number, visit in db.execute(
            select(
                BLSession.sessionId, Proposal.proposalCode, Proposal.proposalNumber,
                BLSession.visit_number,
            )
            .join(Proposal, Proposal.proposalId == BLSession.proposalId)
            .where(BLSession.sessionId.in_(session_ids))
        )
    }  # fmt: skip
    sample_ids = {row["blSampleId"] for row in rows if row["blSampleId"] is not None}
    samples = dict(
        db.execute(
            select(BLSample.blSampleId, BLSample.name).where(BLSample.blSampleId.in_(sample_ids))
        ).all()
    )
    events = []
    for row in rows:
        proposal, session = sessions[row["sessionId"]]
        events.append(
            EventOut(
                **row,
                session=session,
                proposal=proposal,
                blSample=samples.get(row["blSampleId"]),
                Item=items[(row["type"], row["id"])],
            )
        )
    return events


@router.post("/events/robot-action", status_code=201, response_model=str)
def post_robot_action(body: RobotActionIn, db: Db, user: User) -> str:
    """A robot action (``LOAD``...) of a sample taken from a puck position."""
    action = store.store_robot_action(db, user, body)
    db.commit()
    return str(action.robotActionId)


@router.post("/events/energyscan", status_code=201, response_model=str)
def post_energy_scan(body: EnergyScanIn, db: Db, user: User) -> str:
    scan = store.store_energy_scan(db, user, body)
    db.commit()
    return str(scan.energyScanId)


@router.patch("/events/energyscan/associate-bl-sample", response_model=str)
def associate_energy_scan(body: EnergyScanSampleIn, db: Db, user: User) -> str:
    """Associate a scan with a sample (BLSample_has_EnergyScan); answers the link's id."""
    link = store.associate_energy_scan(db, user, body)
    db.commit()
    return str(link.blSampleHasEnergyScanId)


@router.post("/events/xfe-fluorescence-spectrum", status_code=201, response_model=str)
def post_xfe_spectrum(body: XfeSpectrumIn, db: Db, user: User) -> str:
    spectrum = store.store_xfe_spectrum(db, user, body)
    db.commit()
    return str(spectrum.xfeFluorescenceSpectrumId)
