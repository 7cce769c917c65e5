"""Persons (found by login) and laboratories (by name, city and country, as py-ISPyB's
user-portal sync matches them), and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session

from ..models import Laboratory, Person, ProposalHasPerson, SessionHasPerson
from ..schemas.proposals import LaboratoryIn, PersonIn, SessionPersonIn
from .common import assign, fields


def _same(column: ColumnElement[str], value: str | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def laboratory_key(payload: LaboratoryIn) -> tuple[str, str, str]:
    return (payload.name, payload.city or "", payload.country or "")


def upsert_laboratory(db: Session, payload: LaboratoryIn) -> Laboratory:
    laboratory = db.scalar(
        select(Laboratory)
        .where(
            Laboratory.name == payload.name,
            _same(Laboratory.city, payload.city),
            _same(Laboratory.country, payload.country),
        )
        .limit(1)
    )
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


def ensure_laboratories(db: Session, people: Sequence[PersonIn]) -> None:
    """Create the laboratories that do not exist yet, leaving existing ones as they are.

    Proposals loaded concurrently often name the same laboratory. Created in a short
    transaction of their own, before the proposal's, they are rows every load then only
    reads, instead of a row the first load would lock until its commit.
    """
    laboratories = {laboratory_key(p.Laboratory): p.Laboratory for p in people if p.Laboratory}
    for key in sorted(laboratories):
        statement = mysql_insert(Laboratory).values(fields(laboratories[key], only_set=True))
        db.execute(statement.on_duplicate_key_update(laboratoryId=Laboratory.laboratoryId))


def upsert_people(db: Session, people: Sequence[PersonIn]) -> None:
    """Write laboratories, then persons, each in one order (by key, by login).

    These rows are shared between proposals; writing them in the same order in
    every transaction makes concurrent writers wait for each other, never deadlock.
    """
    laboratories = {laboratory_key(p.Laboratory): p.Laboratory for p in people if p.Laboratory}
    for key in sorted(laboratories):
        upsert_laboratory(db, laboratories[key])
    db.flush()
    for person in sorted(people, key=lambda p: p.login):
        upsert_person(db, person)


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
