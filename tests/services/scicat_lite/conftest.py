"""Fixtures for the scicat-lite tests: a scratch PostgreSQL database and a live server."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from lite_harness import LiteServer, serve_in_thread

from tests.support import free_port

ENV_URL = "SCICATLIVE_TEST_POSTGRES_URL"
ACCOUNT_GROUPS = {
    "admin": "admin",
    "ingestor": "ingestor",
    "archiveManager": "archivemanager",
    "proposalIngestor": "proposalingestor",
    "user1": "group1",
    "user2": "group2",
    "user3": "group3",
}
# SciCatLive's (and pyscicat's CI) ingestor password is 4 characters; it must work here.
FIXED_PASSWORDS = {"ingestor": "aman"}
FRONTEND_CONFIG = {"siteTitle": "scicat-lite tests", "defaultDatasetsListSettings": {"columns": []}}


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get(ENV_URL)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{ENV_URL} is not set, but database tests must run in CI")
        pytest.skip(f"{ENV_URL} is not set")
    return url


@contextmanager
def _database(postgres_url: str) -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"scicat_lite_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(postgres_url)
    params["dbname"] = name
    try:
        yield make_conninfo(**params)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def scratch_database(postgres_url: str) -> Iterator[str]:
    """The database of this session's shared server."""
    with _database(postgres_url) as url:
        yield url


@pytest.fixture
def fresh_database(postgres_url: str) -> Iterator[str]:
    """A database of one's own, for a test that starts its own server."""
    with _database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def lite_server(
    scratch_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiteServer]:
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    passwords = {
        name: FIXED_PASSWORDS.get(name) or secrets.token_urlsafe(12) for name in ACCOUNT_GROUPS
    }
    accounts_file = Path(tmp_path_factory.mktemp("scicat-lite")) / "functionalAccounts.json"
    accounts = [
        {
            "username": n,
            "email": f"{n.lower()}@example.org",
            "password": passwords[n],
            "role": g,
            "global": False,
        }
        for n, g in ACCOUNT_GROUPS.items()
    ]
    accounts_file.write_text(json.dumps(accounts))
    frontend_config = accounts_file.parent / "frontend.config.json"
    frontend_config.write_text(json.dumps(FRONTEND_CONFIG))
    port = free_port()
    settings = Settings.from_env(
        {
            "DATABASE_URL": scratch_database,
            "JWT_SECRET": secrets.token_hex(16),
            "PID_PREFIX": "20.500.12269",
            "FUNCTIONAL_ACCOUNTS_FILE": str(accounts_file),
            "ADMIN_GROUPS": "admin",
            "DELETE_GROUPS": "archivemanager",
            "PROPOSAL_GROUPS": "proposalingestor",
            "SAMPLE_GROUPS": "ingestor",
            "MAX_FILE_UPLOAD_SIZE": "1mb",
            "FRONTEND_CONFIG_FILE": str(frontend_config),
            "PORT": str(port),
        }
    )
    with serve_in_thread(create_app(settings), port) as url:
        yield LiteServer(url=url, passwords=passwords, pid_prefix="20.500.12269")
