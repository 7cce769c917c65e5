"""Fixtures for the frontend-lite tests: live scicat-lites on scratch PostgreSQL databases
(one seeded through its REST API by frontend_seed.py, one by scicatlive's own seeding with
the MX recipe), frontend-lites in front of them, and headless Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from frontend_harness import Backend
from frontend_seed import Seeded, seed

from tests.support import ProfileAccount, free_port, serve_app
from tests.support.lite import scicat_lite

PID_PREFIX = "20.500.12345"
MX_RECIPE = Path(__file__).with_name("mx_recipe.yaml")

ROOT = Path(__file__).resolve().parents[3]

CHROMIUM = os.environ.get("SCICATLIVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACCOUNTS = {"admin": "admin", "user1": "group1", "user2": "group2", "nobody": "group9"}
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}, but these tests must run in CI")
    pytest.skip(reason)


@contextmanager
def _scicat_lite(postgres_server: str, folder: Path) -> Iterator[Backend]:
    """scicat-lite on a scratch database, with this package's accounts (admin, user1, …)."""
    accounts = tuple(
        ProfileAccount(username=name, email=f"{name}@example.org", groups=[group])
        for name, group in ACCOUNTS.items()
    )
    passwords = {name: secrets.token_urlsafe(12) for name in ACCOUNTS}
    with scicat_lite(
        postgres_server, folder, accounts, passwords, PID_PREFIX=PID_PREFIX, PROPOSAL_GROUPS="admin"
    ) as url:
        yield Backend(url=url, passwords=passwords, pid_prefix=PID_PREFIX)


@pytest.fixture(scope="session")
def backend(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    with _scicat_lite(postgres_server, tmp_path_factory.mktemp("scicat-lite")) as server:
        yield server


@pytest.fixture(scope="session")
def seeded(backend: Backend) -> Seeded:
    with backend.client("admin") as client:
        return seed(client)


def frontend_app(backend_url: str, config_dir: Path, *, internal_url: str | None = None) -> Any:
    from frontend_lite.app import create_app
    from frontend_lite.settings import Settings

    config_file = config_dir / "config.json"
    config_file.write_text(
        json.dumps(
            {"lbBaseURL": backend_url, "siteTitle": "SciCat test site", "jobsEnabled": False}
        )
    )
    env = {"SESSION_SECRET": secrets.token_hex(24), "SCICAT_CONFIG_FILE": str(config_file)}
    if internal_url:
        env["BACKEND_INTERNAL_URL"] = internal_url
    return create_app(Settings.from_env(env))


@pytest.fixture(scope="session")
def frontend(
    backend: Backend, seeded: Seeded, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    app = frontend_app(backend.url, tmp_path_factory.mktemp("frontend"))
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="session")
def dead_frontend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A frontend whose backend does not exist: every page must say so."""
    dead = f"http://127.0.0.1:{free_port()}"
    app = frontend_app(dead, tmp_path_factory.mktemp("frontend-dead"))
    with serve_app(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
        return
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any, frontend: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a laptop-sized window."""
    context = browser.new_context(base_url=frontend, viewport={"width": 1366, "height": 768})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# -- the MX views: a catalogue made by scicatlive's own generator and ISPyB → SciCat mapping --


@pytest.fixture(scope="session")
def mx_backend(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """scicat-lite seeded with ``mx_recipe.yaml`` by ``scicatlive``'s own seeding (a Stack attached by URL)."""
    from concurrent.futures import ThreadPoolExecutor

    from scicatlive import Stack

    with _scicat_lite(postgres_server, tmp_path_factory.mktemp("scicat-lite-mx")) as server:
        stack = Stack.attach(
            server.url, username="admin", password=server.passwords["admin"], pid_prefix=PID_PREFIX
        )
        # In a thread of its own: Playwright's sync API may hold an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(stack.seed, MX_RECIPE).result()
        yield server


@pytest.fixture(scope="session")
def mx_frontend(mx_backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = frontend_app(mx_backend.url, tmp_path_factory.mktemp("frontend-mx"))
    with serve_app(app) as url:
        yield url


@pytest.fixture
def mx_page(browser: Any, mx_frontend: str) -> Iterator[Any]:
    """A fresh context on the MX frontend, 1280 × 800 as a laptop shows it."""
    context = browser.new_context(base_url=mx_frontend, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()
