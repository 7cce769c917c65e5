"""Which proposals a user may see, following ISPyB's membership tables.

A user belongs to a proposal when a ``Person`` with their login is the
proposal's main proposer (``Proposal.personId``), is listed in
``ProposalHasPerson``, or is on one of its sessions (``Session_has_Person``).
Holders of ``all_proposals`` see every proposal.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, select, true
from sqlalchemy.orm import Session

from .auth import MANAGE_PROPOSALS, CurrentUser
from .errors import Forbidden, NotFound, RuleViolation, UnknownReference
from .models import BLSession, Person, Proposal, ProposalHasPerson, SessionHasPerson


def member_proposal_ids(login: str) -> Select[tuple[int]]:
    as_proposer = select(Proposal.proposalId).join(Person, Person.personId == Proposal.personId)
    as_member = select(ProposalHasPerson.proposalId).join(
        Person, Person.personId == ProposalHasPerson.personId
    )
    on_session = (
        select(BLSession.proposalId)
        .join(SessionHasPerson, SessionHasPerson.sessionId == BLSession.sessionId)
        .join(Person, Person.personId == SessionHasPerson.personId)
    )
    return (
        as_proposer.where(Person.login == login)
        .union(as_member.where(Person.login == login), on_session.where(Person.login == login))
        .subquery()
        .select()
    )


def visible(user: CurrentUser, proposal_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A filter on any ``proposalId`` column: true for the proposals the user may see."""
    if user.sees_all:
        return true()
    return proposal_id.in_(member_proposal_ids(user.login))


def can_see(db: Session, user: CurrentUser, proposal_id: int) -> bool:
    if user.sees_all:
        return True
    query = select(
        exists().where(Proposal.proposalId == proposal_id, visible(user, Proposal.proposalId))
    )
    return bool(db.scalar(query))


def proposal_by_name(db: Session, user: CurrentUser, name: str) -> Proposal:
    """The proposal called ``name`` (code + number), or 404 when absent or not visible."""
    proposal = db.scalar(
        select(Proposal).where(Proposal.proposal == name, visible(user, Proposal.proposalId))
    )
    if proposal is None:
        raise NotFound("Proposal not found", "proposal")
    return proposal


def name_filter(name: str | None, proposal_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Filter on a ``proposal`` query parameter (code + number)."""
    if name is None:
        return true()
    return proposal_id.in_(select(Proposal.proposalId).where(Proposal.proposal == name))


def session_filter(session: str) -> ColumnElement[bool]:
    """Filter on a ``session`` query parameter (``<proposal>-<visit>``), on BLSession."""
    proposal, _, visit = session.rpartition("-")
    if not proposal or not visit.isdigit():
        raise RuleViolation(f"session {session!r} is not of the form <proposal>-<n>", "session")
    return name_filter(proposal, BLSession.proposalId) & (BLSession.visit_number == int(visit))


def require_visible(db: Session, user: CurrentUser, proposal_id: int, field: str) -> None:
    """A referenced proposal exists and is visible, else the reference is unknown."""
    if not db.get(Proposal, proposal_id) or not can_see(db, user, proposal_id):
        raise UnknownReference(f"{field} {proposal_id} does not exist", field)


def require_acquirer(db: Session, user: CurrentUser, proposal_id: int) -> None:
    """Acquisition writes (MXCuBE's) come from the user at the beamline: a member of the
    proposal, or staff holding ``manage_proposals`` who can see it. Reading everything
    (``all_proposals``) alone does not allow writing."""
    if MANAGE_PROPOSALS in user.permissions:
        return
    member = exists().where(
        Proposal.proposalId == proposal_id,
        Proposal.proposalId.in_(member_proposal_ids(user.login)),
    )
    if not db.scalar(select(member)):
        raise Forbidden("Not Authorized: only members of the proposal or manage_proposals")
