"""A database that goes away and comes back; bulk loads that run concurrently."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.app import create_app
from ispyb_mock.db import create_schema, make_engine
from ispyb_mock.settings import Settings
from ispyb_mock.users import Account, Accounts
from sqlalchemy import Engine, func, select

from tests.services.ispyb_mock.conftest import PASSWORD, proposal_graph
from tests.services.ispyb_mock.harness import PrivateMariaDB, private_mariadb
from tests.support import serve_app

pytestmark = pytest.mark.database

__all__ = ["private_mariadb"]  # a fixture, used by name


def _accounts() -> Accounts:
    return Accounts(
        [
            Account(
                login="admin", password=PASSWORD, permissions=("all_proposals", "manage_proposals")
            )
        ]
    )


def _login(client: httpx.Client) -> None:
    reply = client.post(f"{API}/auth/login", json={"login": "admin", "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    client.headers["Authorization"] = f"Bearer {reply.json()['token']}"


@pytest.fixture
def served_on_private(private_mariadb: PrivateMariaDB, tmp_path: Path) -> Iterator[httpx.Client]:
    engine = make_engine(private_mariadb.url)
    create_schema(engine)
    settings = Settings(
        database_url=private_mariadb.url, jwt_secret="k" * 32, users_file=tmp_path / "u.json"
    )
    with serve_app(create_app(settings, engine, _accounts())) as url:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield client
    engine.dispose()
    if private_mariadb.process is None:
        private_mariadb.start()


def _timed(client: httpx.Client, path: str) -> tuple[int, float]:
    started = time.monotonic()
    reply = client.get(f"{API}{path}")
    return reply.status_code, time.monotonic() - started


def test_a_stopped_database_answers_503_fast_and_recovers(
    served_on_private: httpx.Client, private_mariadb: PrivateMariaDB
) -> None:
    client = served_on_private
    _login(client)
    assert client.get(f"{API}/health").json() == {"status": "ok", "database": "ok"}
    assert client.get(f"{API}/proposals").status_code == 200  # the pool holds a connection now

    private_mariadb.stop()
    for path in ("/health", "/proposals", "/sessions", "/health"):
        status, seconds = _timed(client, path)
        assert status == 503 and seconds < 1.0, (path, status, seconds)
    reply = client.get(f"{API}/samples")
    assert reply.status_code == 503 and "database is unavailable" in reply.json()["detail"]
    assert reply.headers["Retry-After"] == "1"
    login = client.post(f"{API}/auth/login", json={"login": "admin", "password": PASSWORD})
    assert login.status_code == 503

    private_mariadb.start()
    deadline = time.monotonic() + 10
    while client.get(f"{API}/health").status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
    assert client.get(f"{API}/proposals").status_code == 200


@pytest.fixture
def served(engine: Engine, clean_engine: Engine, settings: Settings) -> Iterator[httpx.Client]:
    with serve_app(create_app(settings, clean_engine, _accounts())) as url:
        with httpx.Client(base_url=url, timeout=120) as client:
            _login(client)
            yield client


def _load_all(client: httpx.Client, graphs: list[dict[str, Any]]) -> list[httpx.Response]:
    def load(graph: dict[str, Any]) -> httpx.Response:
        return client.post(f"{API}/bulk/proposals", json=graph)

    with ThreadPoolExecutor(max_workers=len(graphs)) as pool:
        return list(pool.map(load, graphs))


def _count(engine: Engine, column: Any, where: Callable[[], Any] | None = None) -> int:
    query = select(func.count()).select_from(column.table)
    with engine.connect() as connection:
        return int(connection.scalar(query if where is None else query.where(where())) or 0)


def test_concurrent_loads_of_proposals_sharing_no_people(
    served: httpx.Client, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    from ispyb_mock.models import BLSample, Laboratory, Person, Proposal

    caplog.set_level(logging.INFO, logger="ispyb_mock")
    graphs = [
        proposal_graph(f"2024{n:04d}", prefix=f"C{n}", samples=4, members=(f"member{n}",))
        for n in range(8)
    ]  # every main proposer works at the same laboratory: a row all loads share
    replies = _load_all(served, graphs)
    assert [reply.status_code for reply in replies] == [200] * 8, [r.text for r in replies]
    assert _count(engine, Proposal.proposalId) == 8
    assert _count(engine, Person.personId) == 16
    assert _count(engine, Laboratory.laboratoryId) == 1
    assert _count(engine, BLSample.blSampleId) == 8 * 4
    assert "collided" not in caplog.text  # they never waited for each other
    again = _load_all(served, graphs)  # and concurrent reloads change nothing
    assert all(reply.json()["created"] == {} for reply in again)


def test_concurrent_loads_sharing_a_person_both_succeed(
    served: httpx.Client, engine: Engine
) -> None:
    from ispyb_mock.models import Person, ProposalHasPerson

    shared = ("alice", "bob", "carol")
    graphs = [
        proposal_graph(f"2025{n:04d}", prefix=f"S{n}", members=shared[n % 3 :] + shared[: n % 3])
        for n in range(6)
    ]
    replies = _load_all(served, graphs)
    assert [reply.status_code for reply in replies] == [200] * 6, [r.text for r in replies]
    assert _count(engine, Person.personId, lambda: Person.login.in_(shared)) == 3
    assert _count(engine, ProposalHasPerson.personId) == 6 * 4  # main proposer + 3 members


def test_a_load_that_keeps_colliding_is_a_409(
    clean_engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ispyb_mock.db import make_sessionmaker
    from ispyb_mock.errors import Conflict
    from ispyb_mock.schemas.bulk import BulkProposal
    from ispyb_mock.store.bulk import BulkLoader, load_proposal
    from sqlalchemy.exc import OperationalError

    attempts: list[int] = []

    def deadlock(self: BulkLoader, payload: BulkProposal) -> None:
        attempts.append(1)
        raise OperationalError("INSERT", {}, Exception(1213, "Deadlock found"))

    monkeypatch.setattr(BulkLoader, "load", deadlock)
    payload = BulkProposal.model_validate(proposal_graph())
    with pytest.raises(Conflict, match="collided 3 times with concurrent loads"):
        load_proposal(
            make_sessionmaker(clean_engine), settings, payload, attempts=3, sleep=lambda _: None
        )
    assert len(attempts) == 3
