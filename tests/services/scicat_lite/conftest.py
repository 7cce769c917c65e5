"""Fixtures for the scicat-lite tests: a scratch PostgreSQL database and a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import features_harness
import pytest
from lite_harness import LiteServer, serve_lite

from tests.support import free_port, scratch_postgres


@pytest.fixture(scope="session")
def scratch_database(postgres_server: str) -> Iterator[str]:
    """The database of this session's shared server."""
    with scratch_postgres(postgres_server, prefix="scicat_lite") as url:
        yield url


@pytest.fixture
def fresh_database(postgres_server: str) -> Iterator[str]:
    """A database of one's own, for a test that starts its own server."""
    with scratch_postgres(postgres_server, prefix="scicat_lite") as url:
        yield url


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
    postgres_server: str,
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
    with scratch_postgres(postgres_server, prefix="scicat_lite") as database, serve_lite(database, workdir, port, env) as server:
        yield server
