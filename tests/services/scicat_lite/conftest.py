"""Fixtures for the scicat-lite tests: a scratch PostgreSQL database and a live server."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import features_harness
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


@contextmanager
def serve_lite(
    database_url: str, workdir: Path, port: int, extra_env: dict[str, str] | None = None
) -> Iterator[LiteServer]:
    """A scicat-lite in a thread of this process, with the test accounts."""
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    passwords = {
        name: FIXED_PASSWORDS.get(name) or secrets.token_urlsafe(12) for name in ACCOUNT_GROUPS
    }
    accounts_file = workdir / "functionalAccounts.json"
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
    frontend_config = workdir / "frontend.config.json"
    frontend_config.write_text(json.dumps(FRONTEND_CONFIG))
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
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
            **(extra_env or {}),
        }
    )
    with serve_in_thread(create_app(settings), port) as url:
        yield LiteServer(url=url, passwords=passwords, pid_prefix="20.500.12269")


@pytest.fixture(scope="session")
def lite_server(
    scratch_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiteServer]:
    workdir = Path(tmp_path_factory.mktemp("scicat-lite"))
    with serve_lite(scratch_database, workdir, free_port()) as server:
        yield server


# -- jobs with a real broker and mail server ----------------------------------------------


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[features_harness.Broker]:
    with features_harness.rabbitmq(tmp_path_factory.mktemp("rabbitmq")) as server:
        yield server


@pytest.fixture(scope="session")
def mailbox() -> Iterator[features_harness.Mailbox]:
    with features_harness.smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def jobs_server(
    postgres_url: str,
    broker: features_harness.Broker,
    mailbox: features_harness.Mailbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiteServer]:
    """A scicat-lite with a job configuration, RabbitMQ and SMTP, on its own database."""
    workdir = Path(tmp_path_factory.mktemp("scicat-lite-jobs"))
    port = free_port()
    template = workdir / "job-email.html"
    template.write_text(features_harness.EMAIL_TEMPLATE)
    config = workdir / "jobConfig.yaml"
    config.write_text(
        features_harness.JOB_CONFIG
        % {"template": template, "health": f"http://127.0.0.1:{port}/api/v3/health"}
    )
    env = {
        "JOB_CONFIGURATION_FILE": str(config),
        "RABBITMQ_ENABLED": "yes",
        "RABBITMQ_HOSTNAME": broker.host,
        "RABBITMQ_PORT": str(broker.port),
        "RABBITMQ_USERNAME": broker.username,
        "RABBITMQ_PASSWORD": broker.password,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "EMAIL_FROM": "scicat@example.org",
        "DOI_PREFIX": "10.9999/",
        "TRACKABLES": "Dataset,Proposal,Sample,PublishedData,Policy,Datablock",
        "HISTORY_ACCESS_DATASET_GROUPS": "group2",
        "CREATE_JOB_PRIVILEGED_GROUPS": "ingestor",
        "DELETE_JOB_GROUPS": "archivemanager",
    }
    with _database(postgres_url) as database, serve_lite(database, workdir, port, env) as server:
        yield server
