"""Persons and laboratories (found by login and by name), and memberships."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Laboratory, Person, ProposalHasPerson, SessionHasPerson
from ..schemas.proposals import LaboratoryIn, PersonIn, SessionPersonIn
from .common import assign, fields


def upsert_laboratory(db: Session, payload: LaboratoryIn) -> Laboratory:
    laboratory = db.scalar(select(Laboratory).where(Laboratory.name == payload.name).limit(1))
    if laboratory is None:
        laboratory = Laboratory()
        db.add(laboratory)
    assign(laboratory, fields(payload, only_set=True) | {"name": payload.name})
    return laboratory


def upsert_person(db: Session, payload: PersonIn) -> Person:
    """The person with this login, created or updated with the fields given."""
    person = db.scalar(select(Person).where(Person.login == payload.login))
    if person is None:
        person = Person(login=payload.login)
        db.add(person)
    assign(person, fields(payload, exclude={"Laboratory", "role", "remote"}, only_set=True))
    if payload.Laboratory is not None:
        laboratory = upsert_laboratory(db, payload.Laboratory)
        db.flush()
        person.laboratoryId = laboratory.laboratoryId
    db.flush()
    return person


def add_proposal_member(db: Session, proposal_id: int, person: Person) -> None:
    existing = db.scalar(
        select(ProposalHasPerson).where(
            ProposalHasPerson.proposalId == proposal_id,
            ProposalHasPerson.personId == person.personId,
        )
    )
    if existing is None:
        db.add(ProposalHasPerson(proposalId=proposal_id, personId=person.personId))


def add_session_person(db: Session, session_id: int, payload: SessionPersonIn) -> None:
    person = upsert_person(db, payload)
    link = db.get(SessionHasPerson, (session_id, person.personId))
    if link is None:
        link = SessionHasPerson(sessionId=session_id, personId=person.personId)
        db.add(link)
    link.role = payload.role
    link.remote = payload.remote
