"""py-ISPyB's user-portal sync: import or update a proposal as a facility's user
portal sends it, in one transaction (py-ISPyB's ``core/modules/userportalsync.py``).

Matching, as upstream: persons by ``externalId`` or ``login`` (name, email and phone
are then updated); laboratories by ``laboratoryExtPk`` or name, city and country;
the proposal by ``externalId`` or code and number (only its title is updated; a new
one's main proposer is the first person listed); lab contacts by card name (created,
never updated); sessions by ``externalId`` or ``expSessionPk`` (every field given is
written; ``lastUpdate`` defaults to now); proteins by ``externalId`` or acronym, their
owner found by login. Session persons get their role and remote flag.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ApiError
from ..models import (
    BLSession,
    LabContact,
    Laboratory,
    Person,
    Proposal,
    ProposalHasPerson,
    Protein,
    SessionHasPerson,
)
from ..schemas.userportalsync import (
    UPLaboratory,
    UPPerson,
    UPProtein,
    UPSession,
    UPSessionPerson,
    UserPortalProposalSync,
)
from .common import assign, fields, now
from .proposals import next_visit_number


class SyncRefused(ApiError):
    """py-ISPyB answers every failure of a sync with 400 and rolls everything back."""

    status_code = 400


def external_id(value: int | None) -> bytes | None:
    """ISPyB keeps external ids as BINARY(16): the integer, big-endian."""
    return None if value is None else value.to_bytes(16, byteorder="big")


def sync_laboratory(db: Session, source: UPLaboratory) -> Laboratory:
    laboratory = None
    if source.laboratoryExtPk is not None:
        laboratory = db.scalar(
            select(Laboratory).where(Laboratory.laboratoryExtPk == source.laboratoryExtPk)
        )
    if laboratory is None:
        laboratory = db.scalar(
            select(Laboratory).where(
                Laboratory.name == source.name,
                Laboratory.city == source.city,
                Laboratory.country == source.country,
            )
        )
    if laboratory is None:
        laboratory = Laboratory(**fields(source))
        db.add(laboratory)
    else:
        assign(laboratory, fields(source, exclude={"url", "laboratoryExtPk"}))
    db.flush()
    return laboratory


def sync_person(db: Session, source: UPPerson) -> Person:
    person = None
    if source.externalId is not None:
        person = db.scalar(
            select(Person).where(Person.externalId == external_id(source.externalId))
        )
    if person is None and source.login is not None:
        person = db.scalar(select(Person).where(Person.login == source.login))
    if person is None:
        values = fields(source, exclude={"laboratory", "session_options", "externalId"})
        person = Person(**values, externalId=external_id(source.externalId))
        db.add(person)
    else:
        assign(
            person,
            fields(source, include={"givenName", "familyName", "emailAddress", "phoneNumber"}),
        )
    if source.laboratory is not None:
        person.laboratoryId = sync_laboratory(db, source.laboratory).laboratoryId
    db.flush()
    return person


def _sync_proposal_row(db: Session, payload: UserPortalProposalSync, proposer: Person) -> Proposal:
    source = payload.proposal
    proposal = None
    if source.externalId is not None:
        proposal = db.scalar(
            select(Proposal).where(Proposal.externalId == external_id(source.externalId))
        )
    if proposal is None:
        proposal = db.scalar(
            select(Proposal).where(
                Proposal.proposalCode == source.proposalCode,
                Proposal.proposalNumber == source.proposalNumber,
            )
        )
    if proposal is None:
        values = fields(source, exclude={"persons", "labcontacts", "externalId"})
        proposal = Proposal(
            **values, externalId=external_id(source.externalId), personId=proposer.personId
        )
        db.add(proposal)
    else:
        proposal.title = source.title
    db.flush()
    return proposal


def _member(db: Session, proposal_id: int, person_id: int) -> None:
    link = select(ProposalHasPerson).where(
        ProposalHasPerson.proposalId == proposal_id, ProposalHasPerson.personId == person_id
    )
    if db.scalar(link) is None:
        db.add(ProposalHasPerson(proposalId=proposal_id, personId=person_id))


def _sync_session(db: Session, proposal_id: int, source: UPSession) -> BLSession:
    session = None
    if source.externalId is not None:
        session = db.scalar(
            select(BLSession).where(
                BLSession.proposalId == proposal_id,
                BLSession.externalId == external_id(source.externalId),
            )
        )
    elif source.expSessionPk is not None:
        session = db.scalar(
            select(BLSession).where(
                BLSession.proposalId == proposal_id, BLSession.expSessionPk == source.expSessionPk
            )
        )
    values: dict[str, Any] = fields(source, exclude={"persons", "externalId", "visit_number"})
    values["externalId"] = external_id(source.externalId)
    if source.visit_number:  # 0 or none: the visit keeps (or gets) a number of its own
        values["visit_number"] = source.visit_number
    if session is None:
        session = BLSession(proposalId=proposal_id, lastUpdate=source.lastUpdate or now())
        values.setdefault("visit_number", next_visit_number(db, proposal_id))
        db.add(session)
    assign(session, {k: v for k, v in values.items() if k != "lastUpdate" or v is not None})
    db.flush()
    for person_source in source.persons or []:
        _on_session(db, session.sessionId, person_source)
    return session


def _on_session(db: Session, session_id: int, source: UPSessionPerson) -> None:
    person = sync_person(db, source)
    link = db.get(SessionHasPerson, (session_id, person.personId))
    if link is None:
        link = SessionHasPerson(sessionId=session_id, personId=person.personId)
        db.add(link)
    options = source.session_options
    link.role = options.role if options else None
    link.remote = bool(options and options.remote)


def _sync_protein(db: Session, proposal_id: int, source: UPProtein) -> None:
    query = select(Protein).where(Protein.proposalId == proposal_id)
    if source.externalId is not None:
        query = query.where(Protein.externalId == external_id(source.externalId))
    else:
        query = query.where(Protein.acronym == source.acronym)
    protein = db.scalar(query)
    values = fields(source, exclude={"person", "externalId"})
    values["externalId"] = external_id(source.externalId)
    if protein is None:
        owner = db.scalar(select(Person).where(Person.login == source.person.login))
        if owner is None:  # as upstream: a protein of someone unknown is not created
            return
        protein = Protein(proposalId=proposal_id, personId=owner.personId)
        db.add(protein)
    assign(protein, values)
    db.flush()


def sync_proposal(db: Session, payload: UserPortalProposalSync) -> Proposal:
    # As upstream, a login listed twice is one person (the last entry wins).
    persons = list({p.login or f"#{p.externalId}": p for p in payload.proposal.persons}.values())
    synced = [sync_person(db, person) for person in persons]
    proposal = _sync_proposal_row(db, payload, synced[0])
    for person in synced:
        _member(db, proposal.proposalId, person.personId)
    for contact in payload.proposal.labcontacts or []:
        exists = db.scalar(
            select(LabContact).where(
                LabContact.proposalId == proposal.proposalId,
                LabContact.cardName == contact.cardName,
            )
        )
        if exists is None:
            person = sync_person(db, contact.person)
            values = {k: v for k, v in fields(contact, exclude={"person"}).items() if v is not None}
            db.add(LabContact(**values, proposalId=proposal.proposalId, personId=person.personId))
            db.flush()
    for session in payload.sessions or []:
        _sync_session(db, proposal.proposalId, session)
    for protein in payload.proteins or []:
        _sync_protein(db, proposal.proposalId, protein)
    db.flush()
    return proposal
