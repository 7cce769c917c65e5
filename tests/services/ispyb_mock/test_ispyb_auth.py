"""Tokens, permissions and who sees which proposal."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from ispyb_mock import API_PREFIX as API

pytestmark = pytest.mark.database


def test_login(client: Any, password: str) -> None:
    reply = client.post(
        f"{API}/auth/login", json={"plugin": "dummy", "login": "admin", "password": password}
    )
    assert reply.status_code == 201
    body = reply.json()
    assert set(body) == {"login", "token", "permissions", "refreshToken", "expiresIn"}
    assert body["permissions"] == ["all_proposals", "manage_proposals"]
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["login"] == "admin" and claims["exp"] > time.time()
    assert body["expiresIn"] == claims["exp"] - claims["iat"] == 300 * 60


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"login": "admin", "password": "wrong"}, 401, "password"),
        ({"login": "nobody", "password": "wrong"}, 401, "password"),
        ({"login": "admin"}, 401, "password"),
        ({"plugin": "ldap", "login": "admin", "password": "x"}, 401, "plugin"),
        ({"plugin": "keycloak", "login": "admin", "token": "x"}, 401, "token"),
    ],
)
def test_login_refused(client: Any, body: dict[str, str], status: int, field: str) -> None:
    reply = client.post(f"{API}/auth/login", json=body)
    assert reply.status_code == status and reply.json()["field"] == field
    assert reply.json()["detail"] == "Could not verify"


@pytest.mark.parametrize(
    "path",
    [
        "/proposals",
        "/sessions",
        "/shippings",
        "/dewars",
        "/containers",
        "/samples",
        "/proteins",
        "/events",
        "/user/current",
        "/processings/auto-integrations?dataCollectionId=1",
    ],
)
def test_every_route_but_login_and_health_needs_a_token(client: Any, path: str) -> None:
    reply = client.get(f"{API}{path}")
    assert reply.status_code == 401 and reply.json()["detail"] == "No token provided."
    reply = client.get(f"{API}{path}", headers={"Authorization": "Bearer not-a-jwt"})
    assert reply.status_code == 401 and reply.json()["detail"] == "Invalid token"


def test_expired_and_foreign_tokens(client: Any, settings: Any) -> None:
    now = int(time.time())
    expired = jwt.encode(
        {"login": "admin", "permissions": ["all_proposals"], "iat": now - 100, "exp": now - 10},
        settings.jwt_secret,
        algorithm="HS256",
    )
    reply = client.get(f"{API}/proposals", headers={"Authorization": f"Bearer {expired}"})
    assert reply.status_code == 401 and "expired" in reply.json()["detail"]
    forged = jwt.encode(
        {"login": "admin", "permissions": ["all_proposals"], "exp": now + 60},
        "another-secret-of-thirty-two-bytes!",
        algorithm="HS256",
    )
    reply = client.get(f"{API}/proposals", headers={"Authorization": f"Bearer {forged}"})
    assert reply.status_code == 401


def test_current_user(client: Any, auth: Any, load: Any) -> None:
    load()
    me = client.get(f"{API}/user/current", headers=auth("alice")).json()
    assert me["login"] == "alice" and me["personId"] is not None and me["Permissions"] == []


def test_membership(client: Any, auth: Any, load: Any, make_graph: Any) -> None:
    load(make_graph("20240001", members=("alice",)))
    graph = make_graph("20240002", prefix="B", members=())
    graph["sessions"][0]["persons"] = [
        {"login": "bob", "role": "Team Leader"}
    ]  # Session_has_Person
    load(graph)

    def totals(login: str) -> dict[str, int]:
        return {
            path: client.get(f"{API}{path}", headers=auth(login)).json()["total"]
            for path in ("/proposals", "/sessions", "/samples", "/events", "/shippings")
        }

    assert totals("alice") == {
        "/proposals": 1,
        "/sessions": 2,
        "/samples": 2,
        "/events": 2,
        "/shippings": 1,
    }
    assert totals("bob") == totals("alice")
    assert totals("reader") == {
        "/proposals": 2,
        "/sessions": 4,
        "/samples": 4,
        "/events": 4,
        "/shippings": 2,
    }
    assert totals("writer") == dict.fromkeys(totals("alice"), 0)
    assert client.get(f"{API}/proposals/MX20240002", headers=auth("alice")).status_code == 404
    bobs = client.get(f"{API}/samples", headers=auth("bob")).json()["results"][0]["blSampleId"]
    assert client.get(f"{API}/samples/{bobs}", headers=auth("alice")).status_code == 404


def test_main_proposer_sees_the_proposal(
    client: Any, auth: Any, load: Any, make_graph: Any
) -> None:
    graph = make_graph(members=())
    graph["Person"]["login"] = "bob"
    load(graph)
    assert client.get(f"{API}/proposals/MX20240001", headers=auth("bob")).status_code == 200


def test_writes_need_manage_proposals_and_visibility(client: Any, auth: Any, load: Any) -> None:
    result = load()
    protein = {"proposalId": result["proposalId"], "acronym": "NEW"}
    reply = client.post(f"{API}/proteins", json=protein, headers=auth("alice"))
    assert reply.status_code == 403 and "manage_proposals" in reply.json()["detail"]
    reply = client.post(f"{API}/proteins", json=protein, headers=auth("writer"))
    assert (
        reply.status_code == 422 and reply.json()["field"] == "proposalId"
    )  # not visible to writer
    proposal = {"proposalCode": "MX", "proposalNumber": "9", "Person": {"login": "writer"}}
    assert client.post(f"{API}/proposals", json=proposal, headers=auth("writer")).status_code == 403
    assert client.post(f"{API}/proposals", json=proposal, headers=auth("admin")).status_code == 201
    proposal_id = client.get(f"{API}/proposals/MX9", headers=auth("admin")).json()["proposalId"]
    protein = {"proposalId": proposal_id, "acronym": "MINE"}  # writer is the main proposer now
    assert client.post(f"{API}/proteins", json=protein, headers=auth("writer")).status_code == 201
    assert client.post(f"{API}/proteins", json=protein, headers=auth("reader")).status_code == 403
