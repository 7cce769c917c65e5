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
from edit_stack import EditStack, edit_stack
from frontend_harness import PID_PREFIX, Backend, seed_mx, steady_contexts
from frontend_seed import Seeded, seed

from tests.support import ProfileAccount, free_port, serve_app
from tests.support.lite import scicat_lite, scicat_lite_environment

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


# The backend's group variables, as the stack gives them to both services.
RIGHTS_VARIABLES = (
    "ADMIN_GROUPS",
    "CREATE_DATASET_GROUPS",
    "PROPOSAL_GROUPS",
    "SAMPLE_GROUPS",
    "SAMPLE_PRIVILEGED_GROUPS",
)


def frontend_app(
    backend_url: str,
    config_dir: Path,
    *,
    internal_url: str | None = None,
    rights: bool = False,
) -> Any:
    from frontend_lite.app import create_app
    from frontend_lite.settings import Settings

    config_file = config_dir / "config.json"
    config_file.write_text(
        json.dumps(
            {"lbBaseURL": backend_url, "siteTitle": "SciCat test site", "jobsEnabled": False}
        )
    )
    env = {"SESSION_SECRET": secrets.token_hex(24), "SCICAT_CONFIG_FILE": str(config_file)}
    if rights:
        backend_env = scicat_lite_environment()
        env |= {name: backend_env[name] for name in RIGHTS_VARIABLES if name in backend_env}
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module: Playwright's sync API keeps an event loop running in this
    thread while it is open, and later tests' `asyncio.run` would refuse to start."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
        return
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        instance.new_context = steady_contexts(instance.new_context)
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
    with _scicat_lite(postgres_server, tmp_path_factory.mktemp("scicat-lite-mx")) as server:
        seed_mx(server)
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


# -- the editing flows: a scicat-lite of their own (they change what they read) --------------


@pytest.fixture(scope="session")
def editable(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EditStack]:
    with edit_stack(postgres_server, tmp_path_factory.mktemp("scicat-lite-edit")) as stack:
        yield stack


@pytest.fixture(scope="session")
def edit_frontend(editable: EditStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = frontend_app(editable.backend.url, tmp_path_factory.mktemp("frontend-edit"), rights=True)
    with serve_app(app) as url:
        yield url


@pytest.fixture
def edit_browser(browser: Any, edit_frontend: str) -> Iterator[Any]:
    """A browser context of its own on the editing frontend (each test opens its pages)."""
    context = browser.new_context(base_url=edit_frontend, viewport={"width": 1366, "height": 900})
    try:
        yield context
    finally:
        context.close()
