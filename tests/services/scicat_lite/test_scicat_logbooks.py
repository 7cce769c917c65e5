"""Logbooks: empty without a logbook service (upstream's answers), filtered by proposal with one."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from lite_harness import LiteServer

from tests.support import free_port, serve_app

pytestmark = pytest.mark.database


def test_without_a_logbook_service(lite_server: LiteServer) -> None:
    with lite_server.client() as anonymous, lite_server.client("user1") as user1:
        assert anonymous.get("/api/v3/logbooks").status_code == 403
        assert user1.get("/api/v3/logbooks").json() == []
        single = user1.get("/api/v3/logbooks/some-proposal")
        assert (single.status_code, single.content) == (200, b"")
        assert user1.get("/api/v3/datasets/nope/logbook").status_code == 404
        assert anonymous.get("/api/v4/datasets/nope/logbook").status_code == 403


def _scichat() -> FastAPI:
    """A stand-in SciChat answering the two reads the backend makes."""
    app = FastAPI()
    books: dict[str, dict[str, Any]] = {
        "p1": {
            "name": "p1",
            "roomId": "!a",
            "messages": [
                {"origin_server_ts": 2, "sender": "@b", "content": {"body": "second"}},
                {"origin_server_ts": 1, "sender": "@a", "content": {"body": "first"}},
            ],
        },
        "p2": {"name": "p2", "roomId": "!b", "messages": []},
    }

    @app.get("/Logbooks")
    def all_books() -> list[dict[str, Any]]:
        return list(books.values())

    @app.get("/Logbooks/{name}", response_model=None)
    def one(name: str) -> Any:
        return books.get(name)

    return app


@pytest.fixture
def lite(fresh_database: str) -> Iterator[tuple[httpx.Client, str]]:
    from scicat_lite.app import create_app
    from scicat_lite.identity.accounts import FunctionalAccount
    from scicat_lite.settings import Settings

    port = free_port()
    with serve_app(_scichat(), port=port) as scichat:
        settings = Settings.from_env(
            {
                "DATABASE_URL": fresh_database,
                "JWT_SECRET": secrets.token_hex(32),
                "LOGBOOK_ENABLED": "yes",
                "LOGBOOK_BASE_URL": scichat,
                "PROPOSAL_GROUPS": "pi",
            }
        )
        accounts = [
            FunctionalAccount(username="pi", email="pi@example.org", password="pw", role="pi"),
            FunctionalAccount(username="other", email="o@example.org", password="pw", role="x"),
        ]
        with (
            serve_app(create_app(settings, accounts=accounts), port=free_port()) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            token = client.post("/api/v3/auth/login", json={"username": "pi", "password": "pw"})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            proposal = {
                "proposalId": "p1",
                "email": "pi@example.org",
                "ownerGroup": "pi",
                "title": "T",
            }
            assert (
                client.post("/api/v3/proposals", json=proposal, headers=headers).status_code == 201
            )
            yield client, headers["Authorization"]


def test_with_a_logbook_service(lite: tuple[httpx.Client, str]) -> None:
    client, auth = lite
    headers = {"Authorization": auth}
    assert [b["name"] for b in client.get("/api/v3/logbooks", headers=headers).json()] == ["p1"]
    book = client.get(
        "/api/v3/logbooks/p1",
        params={"filters": '{"skip": 0, "limit": 1, "sortField": "timestamp:asc"}'},
        headers=headers,
    ).json()
    assert [m["content"]["body"] for m in book["messages"]] == ["first"]
    other = client.post("/api/v3/auth/login", json={"username": "other", "password": "pw"})
    other_headers = {"Authorization": f"Bearer {other.json()['access_token']}"}
    assert client.get("/api/v3/logbooks", headers=other_headers).json() == []
    assert client.get("/api/v3/logbooks/p1", headers=other_headers).content == b""
