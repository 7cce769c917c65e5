"""Proposals and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, extract, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..access import name_filter, proposal_by_name, visible
from ..auth import ALL_PROPOSALS, MANAGE_PROPOSALS
from ..deps import Db, Page, User, Writer
from ..models import (
    BLSession,
    DataCollection,
    Person,
    Proposal,
    ProposalHasPerson,
    SessionHasPerson,
)
from ..schemas.common import Paginated
from ..schemas.proposals import (
    ProposalCreate,
    ProposalMeta,
    ProposalOut,
    SessionCreate,
    SessionMeta,
    SessionOut,
)
from ..store.lookup import get_visible
from ..store.proposals import create_proposal, create_session
from .common import counts, paginate

router = APIRouter(tags=["proposals"])


def proposal_out(db: Session, proposals: list[Proposal]) -> list[ProposalOut]:
    ids = [p.proposalId for p in proposals]
    persons = counts(db, ProposalHasPerson.proposalId, ids)
    sessions = counts(db, BLSession.proposalId, ids)
    beamlines: dict[int, list[str]] = {}
    rows = db.execute(
        select(BLSession.proposalId, BLSession.beamLineName)
        .where(BLSession.proposalId.in_(ids), BLSession.beamLineName.is_not(None))
        .distinct()
        .order_by(BLSession.beamLineName)
    )
    for proposal_id, beamline in rows:
        beamlines.setdefault(proposal_id, []).append(beamline)
    return [
        ProposalOut.model_validate(p).model_copy(
            update={
                "meta": ProposalMeta(
                    persons=persons.get(p.proposalId, 0),
                    sessions=sessions.get(p.proposalId, 0),
                    beamLines=beamlines.get(p.proposalId, []),
                )
            }
        )
        for p in proposals
    ]


@router.get("/proposals", response_model=Paginated[ProposalOut])
def list_proposals(
    db: Db,
    user: User,
    page: Page,
    search: Annotated[str | None, Query()] = None,
    proposalId: Annotated[int | None, Query(description="py-ISPyB's proposalId filter")] = None,
    proposal: Annotated[str | None, Query(description="Proposal name (extension)")] = None,
) -> Paginated[ProposalOut]:
    query = (
        select(Proposal)
        .options(selectinload(Proposal.Person).selectinload(Person.Laboratory))
        .where(visible(user, Proposal.proposalId))
        .order_by(Proposal.proposalId.desc())
    )
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(Proposal.proposal.like(pattern), Proposal.title.like(pattern)))
    if proposalId is not None:
        query = query.where(Proposal.proposalId == proposalId)
    if proposal is not None:
        query = query.where(Proposal.proposal == proposal)
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total, results=proposal_out(db, list(rows)), skip=page.skip, limit=page.limit
    )


@router.get("/proposals/{proposal}", response_model=ProposalOut)
def get_proposal(proposal: str, db: Db, user: User) -> ProposalOut:
    """A proposal by name (code and number, e.g. ``MX20230123``)."""
    return proposal_out(db, [proposal_by_name(db, user, proposal)])[0]


@router.post("/proposals", status_code=201, response_model=ProposalOut)
def post_proposal(body: ProposalCreate, db: Db, user: Writer) -> ProposalOut:
    """Create a proposal with its main proposer and members (needs ``all_proposals`` too)."""
    user.require(MANAGE_PROPOSALS, ALL_PROPOSALS)
    proposal = create_proposal(db, body)
    db.commit()
    return proposal_out(db, [proposal])[0]


def session_out(db: Session, sessions: list[BLSession]) -> list[SessionOut]:
    ids = [s.sessionId for s in sessions]
    collections = counts(db, DataCollection.sessionId, ids)
    persons = counts(db, SessionHasPerson.sessionId, ids)
    now = datetime.now()
    return [
        SessionOut.model_validate(s).model_copy(
            update={
                "meta": SessionMeta(
                    datacollections=collections.get(s.sessionId, 0),
                    persons=persons.get(s.sessionId, 0),
                    active=bool(s.startDate and s.endDate and s.startDate <= now <= s.endDate),
                )
            }
        )
        for s in sessions
    ]


def _in_period(unit: str, value: int | None) -> ColumnElement[bool]:
    """py-ISPyB's month and year filters: the session starts or ends in that month/year."""
    starts, ends = extract(unit, BLSession.startDate), extract(unit, BLSession.endDate)
    return or_(starts == value, ends == value)


@router.get("/sessions", response_model=Paginated[SessionOut])
def list_sessions(
    db: Db,
    user: User,
    page: Page,
    proposal: Annotated[str | None, Query(description="Proposal name")] = None,
    beamLineName: Annotated[str | None, Query()] = None,
    scheduled: Annotated[bool | None, Query()] = None,
    upcoming: Annotated[bool, Query(description="Sessions that start later")] = False,
    previous: Annotated[bool, Query(description="Sessions that have ended")] = False,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    year: Annotated[int | None, Query(ge=1900)] = None,
) -> Paginated[SessionOut]:
    query = (
        select(BLSession)
        .options(selectinload(BLSession.Proposal), selectinload(BLSession.BeamLineSetup))
        .where(visible(user, BLSession.proposalId), name_filter(proposal, BLSession.proposalId))
        .order_by(BLSession.startDate.desc(), BLSession.sessionId.desc())
    )
    now = func.now()
    filters = {
        "beamLineName": (beamLineName, BLSession.beamLineName == beamLineName),
        "scheduled": (scheduled, BLSession.scheduled == scheduled),
        "upcoming": (upcoming or None, BLSession.startDate > now),
        "previous": (previous or None, BLSession.endDate < now),
        "month": (month, _in_period("month", month)),
        "year": (year, _in_period("year", year)),
    }
    for value, condition in filters.values():
        if value is not None:
            query = query.where(condition)
    if upcoming:  # py-ISPyB lists upcoming sessions soonest first
        query = query.order_by(None).order_by(BLSession.startDate, BLSession.sessionId)
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total, results=session_out(db, list(rows)), skip=page.skip, limit=page.limit
    )


@router.get("/sessions/{sessionId}", response_model=SessionOut)
def get_session(sessionId: int, db: Db, user: User) -> SessionOut:
    return session_out(db, [get_visible(db, user, BLSession, sessionId)])[0]


@router.post("/sessions", status_code=201, response_model=SessionOut)
def post_session(body: SessionCreate, db: Db, user: User) -> SessionOut:
    """Create a visit of a proposal, with the persons on it (Session_has_Person).

    MXCuBE posts ``{proposalId, startDate, endDate, beamLineName, comments, scheduled}``;
    the visit number is then the proposal's next. Needs a member of the proposal or
    ``manage_proposals``."""
    session = create_session(db, user, body)
    db.commit()
    return session_out(db, [session])[0]
