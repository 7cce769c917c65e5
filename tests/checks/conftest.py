"""A lite stack in-process for the checks: scicat-lite and the ISPyB mock in uvicorn threads,
on scratch PostgreSQL and MariaDB databases, with the bundled profiles' accounts and group
settings, seeded once with the ``tiny`` recipe."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from scicatlive.checks.target import Account, Target
from tests.support import free_port, required_env

PID_PREFIX = "PID.SAMPLE.PREFIX"
SITE = "SCICATLIVE"
# As compose/profiles/_common.yaml: (groups, global, ISPyB permissions)
ACCOUNTS: dict[str, tuple[list[str], bool, tuple[str, ...]]] = {
    "admin": (["admin"], True, ("all_proposals", "manage_proposals")),
    "ingestor": (["ingestor"], False, ("all_proposals", "manage_proposals")),
    "archiveManager": (["archivemanager"], False, ()),
    "proposalIngestor": (["proposalingestor"], False, ("all_proposals",)),
    "user1": (["group1"], False, ()),
    "user2": (["group2"], False, ()),
}
# As services/scicat-lite/service.yaml
GROUP_SETTINGS = {"ADMIN_GROUPS": "admin", "DELETE_GROUPS": "archivemanager",
                  "PROPOSAL_GROUPS": "proposalingestor", "SAMPLE_GROUPS": "ingestor"}  # fmt: skip


@dataclass
class Served:
    url: str
    stop: Any


def serve(app: Any) -> Served:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return Served(f"http://127.0.0.1:{port}", stop)


@pytest.fixture(scope="session")
def passwords() -> dict[str, str]:
    return {name: secrets.token_urlsafe(12) for name in ACCOUNTS}


@pytest.fixture(scope="session")
def ispyb_app(tmp_path_factory: pytest.TempPathFactory, passwords: dict[str, str]) -> Iterator[Any]:
    """A factory of ISPyB mock apps on one scratch MariaDB database."""
    from ispyb_mock.app import create_app
    from ispyb_mock.db import create_schema, make_engine
    from ispyb_mock.settings import Settings
    from ispyb_mock.users import Account as IspybAccount
    from ispyb_mock.users import Accounts
    from sqlalchemy import make_url, text

    server_url = required_env("SCICATLIVE_TEST_MARIADB_URL")
    name = f"scicatlive_test_checks_{os.getpid()}_{secrets.token_hex(3)}"
    server = make_engine(server_url)
    with server.begin() as connection:
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    engine = make_engine(make_url(server_url).set(database=name).render_as_string(hide_password=False))
    settings = Settings(database_url=str(engine.url), jwt_secret=secrets.token_hex(24),
                        users_file=tmp_path_factory.mktemp("ispyb") / "users.json", site=SITE)  # fmt: skip
    accounts = Accounts([IspybAccount(login=n, password=passwords[n], permissions=p) for n, (_, _, p) in ACCOUNTS.items()])
    try:
        create_schema(engine)
        yield lambda: create_app(settings, engine, accounts)
    finally:
        engine.dispose()
        with server.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture(scope="session")
def ispyb_url(ispyb_app: Any) -> Iterator[str]:
    served = serve(ispyb_app())
    yield served.url
    served.stop()


@pytest.fixture(scope="session")
def scicat_url(tmp_path_factory: pytest.TempPathFactory, passwords: dict[str, str]) -> Iterator[str]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    server_url = required_env("SCICATLIVE_TEST_POSTGRES_URL")
    name = f"scicat_checks_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    accounts = tmp_path_factory.mktemp("scicat") / "functionalAccounts.json"
    accounts.write_text(json.dumps([
        {"username": n, "email": f"{n.lower()}@scicatlive.invalid", "password": passwords[n],
         "role": g[0] if len(g) == 1 else g, "global": glob}
        for n, (g, glob, _) in ACCOUNTS.items()
    ]))  # fmt: skip
    settings = Settings.from_env({
        "DATABASE_URL": make_conninfo(**{**conninfo_to_dict(server_url), "dbname": name}),
        "JWT_SECRET": secrets.token_hex(16), "PID_PREFIX": PID_PREFIX,
        "FUNCTIONAL_ACCOUNTS_FILE": str(accounts), **GROUP_SETTINGS,
    })  # fmt: skip
    served = serve(create_app(settings))
    try:
        yield served.url
    finally:
        served.stop()
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_target(scicat_url: str, ispyb_url: str | None, passwords: dict[str, str], **extra: Any) -> Target:
    accounts = {
        n: Account(password=SecretStr(passwords[n]), groups=tuple(g) + (("globalaccess",) if glob else ()))
        for n, (g, glob, _) in ACCOUNTS.items()
    }
    return Target(backend_url=scicat_url, ispyb_url=ispyb_url, accounts=accounts, site=SITE, pid_prefix=PID_PREFIX, **extra)


@pytest.fixture(scope="session")
def seeded(scicat_url: str, ispyb_url: str, passwords: dict[str, str]) -> Target:
    """The in-process stack, seeded with ``tiny`` (once per session)."""
    from scicatlive.seeding.run import Endpoint, SeedTarget, seed

    password = passwords["admin"]
    seed(SeedTarget(Endpoint(scicat_url, "admin", password), Endpoint(ispyb_url, "admin", password), PID_PREFIX), "tiny")
    return make_target(scicat_url, ispyb_url, passwords)


class _Frontend(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def frontend_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static web server standing in for a frontend: (its URL, its document root)."""
    root = tmp_path / "site"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><html><head><title>SciCat</title></head><body></body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Frontend(*a, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        thread.join(timeout=5)
