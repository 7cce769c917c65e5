"""py-ISPyB's user-portal sync: a proposal imported as a facility's user portal sends it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API
from sqlalchemy import Engine, func, select

pytestmark = pytest.mark.database

ROUTE = f"{API}/webservices/userportalsync/sync_proposal"
LUND = {"name": "Lund University", "address": "Box 117", "city": "Lund", "country": "SE",
        "laboratoryExtPk": 11}  # fmt: skip


def portal_proposal() -> dict[str, Any]:
    pi = {"login": "uhansen", "externalId": 501, "givenName": "Ulla", "familyName": "Hansen",
          "emailAddress": "ulla@example.org", "laboratory": LUND}  # fmt: skip
    return {
        "proposal": {
            "proposalCode": "MX",
            "proposalNumber": "20265555",
            "title": "Membrane transporters",
            "proposalType": "MX",
            "externalId": 20265555,
            "persons": [pi, {"login": "pnilsson", "externalId": 502, "familyName": "Nilsson"}],
            "labcontacts": [
                {"cardName": "LU - Ulla Hansen", "person": pi, "defaultCourrierCompany": "DHL"}
            ],  # fmt: skip
        },
        "sessions": [
            {
                "externalId": 9001,
                "startDate": "2026-04-01T08:00:00Z",
                "endDate": "2026-04-02T08:00:00Z",
                "beamLineName": "BioMAX",
                "scheduled": 1,
                "nbShifts": 3,
                "visit_number": 0,
                "comments": "upstream does not keep session comments",
                "persons": [
                    pi | {"session_options": {"role": "Principal Investigator", "remote": 1}},
                    {
                        "login": "lcontact",
                        "familyName": "Berg",
                        "session_options": {"role": "Local Contact", "remote": 0},
                    },  # fmt: skip
                ],
            },
            {
                "expSessionPk": 9002,
                "startDate": "2026-05-01T08:00:00Z",
                "endDate": "2026-05-02T08:00:00Z",
                "beamLineName": "BioMAX",
                "visit_number": 0,
            },  # fmt: skip
        ],
        "proteins": [
            {
                "acronym": "LacY",
                "name": "Lactose permease",
                "hazardGroup": 1,
                "containmentLevel": 1,
                "externalId": 77,
                "person": pi,
            },  # fmt: skip
            {
                "acronym": "GltPh",
                "hazardGroup": 1,
                "containmentLevel": 1,
                "person": {"login": "nobody-known"},
            },  # fmt: skip
        ],
    }


def sync(client: Any, auth: Any, body: dict[str, Any], user: str = "portal") -> Any:
    return client.post(ROUTE, json=body, headers=auth(user))


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model.__table__)) or 0)


def test_a_proposal_is_imported_and_readable(client: Any, auth: Any) -> None:
    reply = sync(client, auth, portal_proposal())
    assert reply.status_code == 200, reply.text
    assert reply.json()["message"].startswith("The proposal MX-20265555 has been synchronized in ")
    proposal = client.get(f"{API}/proposals/MX20265555", headers=auth("admin")).json()
    assert proposal["title"] == "Membrane transporters" and proposal["Person"]["login"] == "uhansen"
    assert proposal["Person"]["Laboratory"]["name"] == "Lund University"
    assert proposal["_metadata"]["persons"] == 2 and proposal["_metadata"]["sessions"] == 2
    sessions = client.get(
        f"{API}/sessions", params={"proposal": "MX20265555"}, headers=auth("admin")
    )
    rows = sorted(sessions.json()["results"], key=lambda s: s["visit_number"])
    assert [(s["visit_number"], s["nbShifts"], s["comments"]) for s in rows] == [
        (1, 3, None),
        (2, None, None),
    ]
    assert rows[0]["_metadata"]["persons"] == 2
    proteins = client.get(
        f"{API}/proteins", params={"proposal": "MX20265555"}, headers=auth("admin")
    )
    assert [p["acronym"] for p in proteins.json()["results"]] == [
        "LacY"
    ]  # GltPh's owner is unknown


def test_a_second_sync_updates_and_adds_nothing_twice(
    client: Any, auth: Any, clean_engine: Engine
) -> None:
    from ispyb_mock.models import (
        BLSession,
        LabContact,
        Laboratory,
        Person,
        Protein,
        SessionHasPerson,
    )

    assert sync(client, auth, portal_proposal()).status_code == 200
    before = {
        m: count(clean_engine, m)
        for m in (Person, Laboratory, BLSession, LabContact, Protein, SessionHasPerson)
    }
    changed = copy.deepcopy(portal_proposal())
    changed["proposal"]["title"] = "Membrane transporters, renewed"
    for pi in (  # the portal sends the PI the same way wherever it names her
        changed["proposal"]["persons"][0],
        changed["proposal"]["labcontacts"][0]["person"],
        changed["sessions"][0]["persons"][0],
        changed["proteins"][0]["person"],
    ):
        pi["emailAddress"] = "ulla.hansen@example.org"
    changed["sessions"][0]["nbShifts"] = 6
    changed["sessions"][0]["persons"][1]["session_options"]["role"] = "Staff"
    changed["proteins"][0]["name"] = "LacY permease"
    changed["proposal"]["labcontacts"][0]["defaultCourrierCompany"] = "UPS"
    assert sync(client, auth, changed).status_code == 200
    assert {m: count(clean_engine, m) for m in before} == before
    with clean_engine.connect() as connection:
        assert (
            connection.scalar(select(Person.emailAddress).where(Person.login == "uhansen"))
            == "ulla.hansen@example.org"
        )
        assert (
            connection.scalar(select(BLSession.nbShifts).where(BLSession.nbShifts.is_not(None)))
            == 6
        )
        assert (
            connection.scalar(select(Protein.name).where(Protein.acronym == "LacY"))
            == "LacY permease"
        )
        assert (
            connection.scalar(select(LabContact.defaultCourrierCompany)) == "DHL"
        )  # never updated
        roles = set(connection.scalars(select(SessionHasPerson.role)))
        assert roles == {"Principal Investigator", "Staff"}
    proposal = client.get(f"{API}/proposals/MX20265555", headers=auth("admin")).json()
    assert proposal["title"] == "Membrane transporters, renewed"


def test_the_sync_needs_uportal_sync(client: Any, auth: Any) -> None:
    reply = sync(client, auth, portal_proposal(), user="admin")
    assert reply.status_code == 403 and "uportal_sync" in reply.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: [b["proposal"]["persons"][0].pop(k) for k in ("login", "externalId")],
         "body.proposal.persons[0]"),
        (lambda b: b["sessions"][1].pop("expSessionPk"), "body.sessions[1]"),
        (lambda b: b["proposal"].update(persons=[]), "body.proposal.persons"),
        (lambda b: b["proteins"][0].pop("hazardGroup"), "body.proteins[0].hazardGroup"),
    ],
)  # fmt: skip
def test_schema_violations_are_422(client: Any, auth: Any, change: Any, field: str) -> None:
    body = portal_proposal()
    change(body)
    reply = sync(client, auth, body)
    assert reply.status_code == 422 and reply.json()["field"] == field, reply.text


def test_a_failed_sync_is_400_and_leaves_nothing(
    client: Any, auth: Any, clean_engine: Engine
) -> None:
    from ispyb_mock.models import Person, Proposal

    body = portal_proposal()
    pi = body["proposal"]["persons"][0]
    body["proposal"]["labcontacts"].append({"cardName": "LU - second card", "person": pi})
    reply = sync(client, auth, body)  # ISPyB: one lab contact per person and proposal
    assert reply.status_code == 400 and reply.json()["field"] == "person", reply.text
    assert count(clean_engine, Proposal) == 0 and count(clean_engine, Person) == 0
