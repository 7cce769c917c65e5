"""Schema creation on an empty database, and ``python -m ispyb_mock`` start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.db import DatabaseUnavailable, create_schema, make_engine, wait_for_database
from ispyb_mock.models import UNIQUE_KEYS, schema_tables
from sqlalchemy import inspect, text

from tests.support import free_port, scratch_mariadb

pytestmark = pytest.mark.database
SRC = Path(__file__).resolve().parents[3] / "services" / "ispyb-mock" / "src"


@pytest.fixture
def empty_url(mariadb_server: str) -> Iterator[str]:
    with scratch_mariadb(mariadb_server, "ispyb_empty") as url:
        yield url


def test_schema_is_created_on_an_empty_database_and_kept(empty_url: str) -> None:
    engine = make_engine(empty_url)
    create_schema(engine)
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    assert {t.name for t in schema_tables()} | {"ChangeFeed", "ChangeFeedHead"} == tables
    assert {"BLSample", "AutoProcScalingStatistics", "Session_has_Person"} <= tables
    unique = {
        index["name"]
        for table in tables
        for index in inspector.get_indexes(table)
        if index["unique"]
    }
    assert set(UNIQUE_KEYS) <= unique
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO Person (login) VALUES ('kept')"))
    create_schema(engine)  # a second start changes nothing and keeps the data
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM Person")) == 1
    engine.dispose()


def test_waiting_for_a_database_that_is_not_up() -> None:
    engine = make_engine(f"mysql+pymysql://u:p@127.0.0.1:{free_port()}/ispyb")  # nobody listens
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable):
        wait_for_database(engine, timeout=1.0, interval=0.2)
    assert 1.0 <= time.monotonic() - started < 10


def _run(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ispyb_mock"],
        env=os.environ | {"PYTHONPATH": str(SRC)} | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _start_failure(env: dict[str, str]) -> tuple[int, str]:
    """Run ``python -m ispyb_mock`` to its exit; return the code and its stderr."""
    process = subprocess.run(
        [sys.executable, "-m", "ispyb_mock"],
        env={k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "JWT_"))}
        | {"PYTHONPATH": str(SRC)}
        | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return process.returncode, process.stderr


def test_main_exits_1_when_the_database_never_comes(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text("[]")
    code, stderr = _start_failure(
        {
            "DATABASE_URL": f"mysql+pymysql://u:p@127.0.0.1:{free_port()}/ispyb",
            "JWT_SECRET": "s" * 32,
            "ISPYB_USERS_FILE": str(users),
            "DATABASE_WAIT_SECONDS": "1",
        }
    )
    assert code == 1
    assert "database not ready" in stderr  # the wait is logged
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("ispyb-mock: database not reachable after") and "Traceback" not in stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"JWT_SECRET": ""}, "ispyb-mock: environment variable JWT_SECRET is required"),
        ({"PORT": "http"}, "ispyb-mock: environment variable PORT is invalid"),
        ({"ISPYB_USERS_FILE": "/nonexistent/users.json"}, "ispyb-mock: cannot read users file"),
    ],
)
def test_main_exits_2_on_a_configuration_error(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    users = tmp_path / "users.json"
    users.write_text("[]")
    env = {
        "DATABASE_URL": "mysql+pymysql://u:p@127.0.0.1:1/ispyb",
        "JWT_SECRET": "s" * 32,
        "ISPYB_USERS_FILE": str(users),
    }
    code, stderr = _start_failure(env | change)
    assert code == 2 and stderr.count("\n") == 1 and stderr.startswith(message), stderr


def test_main_serves(empty_url: str, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps(
            [
                {
                    "login": "seeder",
                    "password": "pw-seed",
                    "permissions": ["all_proposals", "manage_proposals"],
                }
            ]
        )
    )
    port = free_port()
    process = _run(
        {
            "DATABASE_URL": empty_url,
            "JWT_SECRET": "s" * 32,
            "ISPYB_USERS_FILE": str(users),
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
    )
    try:
        base = f"http://127.0.0.1:{port}{API}"
        deadline = time.monotonic() + 120  # a shared 2-core machine can be slow to import
        while True:
            try:
                reply = httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        assert reply.json() == {"status": "ok", "database": "ok"}
        login = httpx.post(f"{base}/auth/login", json={"login": "seeder", "password": "pw-seed"})
        assert login.status_code == 201
    finally:
        process.terminate()
        process.wait(timeout=10)
