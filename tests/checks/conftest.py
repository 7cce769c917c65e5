"""A lite stack in-process for the checks: scicat-lite and the ISPyB mock in uvicorn threads,
on scratch PostgreSQL and MariaDB databases, with the bundled profiles' accounts and group
settings, seeded once with the ``tiny`` recipe."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from scicatlive.clients.target import Account, Target
from scicatlive.defaults import DEFAULT_PID_PREFIX, DEFAULT_SITE
from tests.support.accounts import groups_of, new_passwords, profile_accounts
from tests.support.lite import ispyb_mock, scicat_lite

PID_PREFIX = DEFAULT_PID_PREFIX
SITE = DEFAULT_SITE
ACCOUNTS = profile_accounts()


@pytest.fixture(scope="session")
def passwords() -> dict[str, str]:
    return new_passwords(ACCOUNTS)


@pytest.fixture(scope="session")
def ispyb_url(mariadb_server: str, tmp_path_factory: pytest.TempPathFactory, passwords: dict[str, str]) -> Iterator[str]:
    with ispyb_mock(mariadb_server, tmp_path_factory.mktemp("ispyb"), ACCOUNTS, passwords) as url:
        yield url


@pytest.fixture(scope="session")
def scicat_url(postgres_server: str, tmp_path_factory: pytest.TempPathFactory, passwords: dict[str, str]) -> Iterator[str]:
    with scicat_lite(postgres_server, tmp_path_factory.mktemp("scicat"), ACCOUNTS, passwords) as url:
        yield url


def make_target(scicat_url: str, ispyb_url: str | None, passwords: dict[str, str], **extra: Any) -> Target:
    accounts = {a.username: Account(password=SecretStr(passwords[a.username]), groups=groups_of(a)) for a in ACCOUNTS}
    return Target(backend_url=scicat_url, ispyb_url=ispyb_url, accounts=accounts, site=SITE, pid_prefix=PID_PREFIX, **extra)


@pytest.fixture(scope="session")
def seeded(scicat_url: str, ispyb_url: str, passwords: dict[str, str]) -> Target:
    """The in-process stack, seeded with ``tiny`` (once per session)."""
    from scicatlive.seeding.run import seed

    target = make_target(scicat_url, ispyb_url, passwords)
    seed(target, "tiny")
    return target


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
