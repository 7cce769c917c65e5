"""Scratch databases for the service tests: on the server CI gives, or in a throw-away container.

``SCICATLIVE_TEST_POSTGRES_URL`` / ``SCICATLIVE_TEST_MARIADB_URL`` name a server whose
user may create databases (``.ci/test-databases.sh`` starts the host's). Without them,
the first test that needs one starts a container from our own local image
(``scicatlive/postgres``, ``scicatlive/mariadb``, built here like a stack's), once per
session, as testcontainers would, and removes it at the end. Every test then gets a
database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.support.environment import IN_CI, docker_engine

POSTGRES_ENV = "SCICATLIVE_TEST_POSTGRES_URL"
MARIADB_ENV = "SCICATLIVE_TEST_MARIADB_URL"
TEST_LABEL = "io.scicatlive.test"
READY_SECONDS = 90.0


@dataclass(frozen=True)
class _Kind:
    service: str
    container_port: int


POSTGRES = _Kind("postgres", 5432)
MARIADB = _Kind("mariadb", 3306)


@contextmanager
def postgres_server_url() -> Iterator[str]:
    """A PostgreSQL server URL whose user may CREATE DATABASE."""
    given = os.environ.get(POSTGRES_ENV)
    if given:
        yield given
        return
    password = secrets.token_hex(12)
    env = {"POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": password, "POSTGRES_DB": "postgres"}
    with _container(POSTGRES, env) as (name, port):
        url = f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"
        _wait(lambda: _postgres_answers(url), name)
        yield url


@contextmanager
def mariadb_server_url() -> Iterator[str]:
    """A MariaDB server URL (SQLAlchemy form) whose user may create databases."""
    given = os.environ.get(MARIADB_ENV)
    if given:
        yield given
        return
    root, password = secrets.token_hex(12), secrets.token_hex(12)
    env = {"MARIADB_ROOT_PASSWORD": root, "MARIADB_USER": "scicatlive_test",
           "MARIADB_PASSWORD": password, "MARIADB_DATABASE": "scicatlive_test"}  # fmt: skip
    with _container(MARIADB, env) as (name, port):
        url = f"mysql+pymysql://scicatlive_test:{password}@127.0.0.1:{port}/scicatlive_test"
        _wait(lambda: _mariadb_answers(url), name)
        grant = "GRANT ALL ON *.* TO 'scicatlive_test'@'%'; FLUSH PRIVILEGES;"
        docker_engine().cli("exec", "-e", f"MYSQL_PWD={root}", name, "mariadb", "-uroot", "-e", grant,
                            action="granting the test user")  # fmt: skip
        yield url


@contextmanager
def scratch_postgres(server_url: str, prefix: str = "scratch") -> Iterator[str]:
    """A new, empty database on the server, as a libpq URL; dropped on exit."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(**{**conninfo_to_dict(server_url), "dbname": name})
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_mariadb(server_url: str, prefix: str = "scratch") -> Iterator[str]:
    """A new, empty utf8mb4 database on the server, as a SQLAlchemy URL; dropped on exit."""
    from sqlalchemy import create_engine, make_url, text

    # The CI user may create databases named scicatlive_test*; keep that prefix.
    name = f"scicatlive_test_{prefix}_{secrets.token_hex(4)}"
    server = create_engine(server_url)
    try:
        with server.begin() as connection:
            connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with server.begin() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        server.dispose()


@contextmanager
def _container(kind: _Kind, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """A throw-away container of our local image of ``kind``, published on a loopback port."""
    engine = docker_engine()
    image = _local_image(kind.service)
    name = f"scicatlive-test-{kind.service}-{os.getpid()}-{secrets.token_hex(3)}"
    arguments = ["run", "-d", "--rm", "--name", name, "--label", f"{TEST_LABEL}=1",
                 "-p", f"127.0.0.1::{kind.container_port}"]  # fmt: skip
    for key, value in env.items():
        arguments += ["-e", f"{key}={value}"]
    engine.cli(*arguments, image, action=f"starting a throw-away {kind.service}")
    try:
        published = engine.cli("port", name, str(kind.container_port), action="reading its port")
        yield name, int(published.strip().splitlines()[0].rsplit(":", 1)[1])
    finally:
        engine.cli("rm", "-f", "-v", name, action=f"removing the throw-away {kind.service}")


def _local_image(service: str) -> str:
    """Our image of a database service, built here if it is not yet (as `up` would)."""
    from scicatlive.catalogue.loader import default_catalogue
    from scicatlive.errors import ImageError
    from scicatlive.images.build import build_service_image
    from scicatlive.images.local import LocalBuild
    from scicatlive.progress import SilentReporter

    entry = default_catalogue().get(service)
    variant = entry.definition.variant(entry.definition.local_variant or "local")
    assert variant.build is not None and variant.image is not None
    build = LocalBuild(entry.folder, variant.build, variant.image)

    @dataclass(frozen=True)
    class Need:
        name: str
        image: str
        build: LocalBuild | None

    try:
        return build_service_image(docker_engine(), Need(service, build.image, build), SilentReporter())
    except ImageError as error:
        if IN_CI:
            pytest.fail(f"cannot build the {service} image for the database tests: {error}")
        pytest.skip(f"no {service} server: set {POSTGRES_ENV if service == 'postgres' else MARIADB_ENV}, "
                    f"or let the tests build our image ({error.message})")  # fmt: skip


def _wait(answers: object, container: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if answers():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise RuntimeError(f"the throw-away database {container} did not accept connections in {READY_SECONDS:.0f} s")


def _postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _mariadb_answers(url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()
