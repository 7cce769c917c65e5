"""Proposals and sessions (visits)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import require_acquirer
from ..auth import CurrentUser
from ..errors import Conflict
from ..models import BLSession, Proposal
from ..schemas.proposals import ProposalCreate, ProposalFields, SessionCreate, SessionFields
from .common import assign, fields
from .lookup import get_visible
from .people import add_proposal_member, add_session_person, upsert_person


def find_proposal(db: Session, code: str, number: str) -> Proposal | None:
    return db.scalar(
        select(Proposal).where(Proposal.proposalCode == code, Proposal.proposalNumber == number)
    )


def save_proposal(db: Session, payload: ProposalCreate, existing: Proposal | None) -> Proposal:
    """Create the proposal, or update ``existing``; its persons are found by login."""
    principal = upsert_person(db, payload.Person)
    proposal = existing or Proposal(
        proposalCode=payload.proposalCode, proposalNumber=payload.proposalNumber
    )
    assign(
        proposal,
        fields(payload, exclude={"Person", "persons", "sessions", "proteins", "shippings"}),
    )
    proposal.personId = principal.personId
    if existing is None:
        db.add(proposal)
    db.flush()
    for member in [payload.Person, *payload.persons]:
        add_proposal_member(db, proposal.proposalId, upsert_person(db, member))
    return proposal


def create_proposal(db: Session, payload: ProposalCreate) -> Proposal:
    if find_proposal(db, payload.proposalCode, payload.proposalNumber) is not None:
        raise Conflict(
            f"proposal {payload.proposalCode}{payload.proposalNumber} already exists",
            "proposalNumber",
        )
    return save_proposal(db, payload, None)


def update_proposal_fields(proposal: Proposal, payload: ProposalFields) -> None:
    assign(proposal, fields(payload, only_set=True))


def find_session(db: Session, proposal_id: int, visit_number: int) -> BLSession | None:
    return db.scalar(
        select(BLSession).where(
            BLSession.proposalId == proposal_id, BLSession.visit_number == visit_number
        )
    )


def save_session(
    db: Session, proposal_id: int, visit_number: int, payload: SessionFields
) -> BLSession:
    """Create or update the visit ``visit_number`` of a proposal, with its persons."""
    session = find_session(db, proposal_id, visit_number)
    if session is None:
        session = BLSession(proposalId=proposal_id, visit_number=visit_number)
        db.add(session)
    values = fields(payload, exclude={"persons", "visit_number", "proposalId"}, only_set=True)
    assign(session, values)
    if session.endDate or session.startDate:
        session.lastUpdate = session.endDate or session.startDate
    db.flush()
    for person in payload.persons:
        add_session_person(db, session.sessionId, person)
    return session


def next_visit_number(db: Session, proposal_id: int) -> int:
    last = db.scalar(
        select(func.max(BLSession.visit_number)).where(BLSession.proposalId == proposal_id)
    )
    return (last or 0) + 1


def create_session(db: Session, user: CurrentUser, payload: SessionCreate) -> BLSession:
    """A visit of a proposal; MXCuBE creates one (without a visit number) when the user
    has none today. Needs a member of the proposal, or ``manage_proposals``."""
    get_visible(db, user, Proposal, payload.proposalId, "proposalId")
    require_acquirer(db, user, payload.proposalId)
    visit = payload.visit_number
    if visit is None:
        visit = next_visit_number(db, payload.proposalId)
    elif find_session(db, payload.proposalId, visit) is not None:
        raise Conflict(f"visit {visit} already exists", "visit_number")
    return save_session(db, payload.proposalId, visit, payload)
