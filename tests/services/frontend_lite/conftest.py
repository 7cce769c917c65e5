"""Fixtures for the frontend-lite tests: a live scicat-lite on a scratch PostgreSQL
database, seeded through its REST API, a frontend-lite in front of it, and headless
Chromium driven by Playwright."""

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
from frontend_harness import Backend, free_port, serve
from frontend_seed import Seeded, seed

PID_PREFIX = "20.500.12345"
MX_RECIPE = Path(__file__).with_name("mx_recipe.yaml")

ROOT = Path(__file__).resolve().parents[3]

ENV_URL = "SCICATLIVE_TEST_POSTGRES_URL"
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


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get(ENV_URL)
    if not url:
        _missing(f"{ENV_URL} is not set")
    return url or ""


@contextmanager
def _scratch(postgres_url: str, prefix: str) -> Iterator[str]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(postgres_url)
    params["dbname"] = name
    try:
        yield make_conninfo(**params)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _scicat_lite(database_url: str, folder: Path, name: str) -> Iterator[Backend]:
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    passwords = {name: secrets.token_urlsafe(12) for name in ACCOUNTS}
    accounts_file = folder / "functionalAccounts.json"
    accounts_file.write_text(
        json.dumps(
            [
                {
                    "username": n,
                    "email": f"{n}@example.org",
                    "password": passwords[n],
                    "role": g,
                    "global": False,
                }
                for n, g in ACCOUNTS.items()
            ]
        )
    )
    port = free_port()
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "JWT_SECRET": secrets.token_hex(16),
            "PID_PREFIX": PID_PREFIX,
            "FUNCTIONAL_ACCOUNTS_FILE": str(accounts_file),
            "ADMIN_GROUPS": "admin",
            "PROPOSAL_GROUPS": "admin",
            "PORT": str(port),
        }
    )
    with serve(create_app(settings), port, name) as url:
        yield Backend(url=url, passwords=passwords, pid_prefix=PID_PREFIX)


@pytest.fixture(scope="session")
def backend(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    with (
        _scratch(postgres_url, "frontend_lite") as database,
        _scicat_lite(database, tmp_path_factory.mktemp("scicat-lite"), "scicat-lite") as server,
    ):
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
    with serve(app, free_port(), "frontend-lite") as url:
        yield url


@pytest.fixture(scope="session")
def dead_frontend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A frontend whose backend does not exist: every page must say so."""
    dead = f"http://127.0.0.1:{free_port()}"
    app = frontend_app(dead, tmp_path_factory.mktemp("frontend-dead"))
    with serve(app, free_port(), "frontend-lite-dead") as url:
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
def mx_backend(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """scicat-lite seeded with ``mx_recipe.yaml`` through ``scicatlive seed``'s loader."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from scicatlive.seeding.run import Endpoint, SeedTarget, seed_async

    with (
        _scratch(postgres_url, "frontend_lite_mx") as database,
        _scicat_lite(
            database, tmp_path_factory.mktemp("scicat-lite-mx"), "scicat-lite-mx"
        ) as server,
    ):
        target = SeedTarget(
            scicat=Endpoint(server.url, "admin", server.passwords["admin"]),
            ispyb=None,
            pid_prefix=PID_PREFIX,
        )
        # In a thread of its own: Playwright's sync API may hold an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, seed_async(target, MX_RECIPE)).result()
        yield server


@pytest.fixture(scope="session")
def mx_frontend(mx_backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = frontend_app(mx_backend.url, tmp_path_factory.mktemp("frontend-mx"))
    with serve(app, free_port(), "frontend-lite-mx") as url:
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
