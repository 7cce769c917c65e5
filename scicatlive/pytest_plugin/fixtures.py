"""The plugin's fixtures. Heavy imports (Docker, seeding) happen inside them, on first use.

``scicat_stack`` (session) either attaches to a backend given by
``--scicatlive-url``/``SCICATLIVE_URL`` (with ``SCICATLIVE_ISPYB_URL``,
``SCICATLIVE_FRONTEND_URL`` and credentials from ``SCICATLIVE_CREDENTIALS_FILE``
or ``SCICATLIVE_USERNAME``/``SCICATLIVE_PASSWORD``), or starts the profile as a
stack of its own, reusing it when it is already up. It seeds the recipe when one
is given, and tears down only a stack it started itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import httpx

    from scicatlive.checks.target import Target

ENV_URL = "SCICATLIVE_URL"
DEFAULT_STACK = "scicatlive-pytest"
DEFAULT_PROFILE = "lite"
CLIENT_ACCOUNT = "admin"


@dataclass(frozen=True)
class ScicatStack:
    """What the tests get: where the stack is, its accounts, and whether this session started it."""

    target: Target
    started: bool
    stack: str | None
    recipe: str | None

    @property
    def backend_url(self) -> str:
        return self.target.backend_url

    @property
    def ispyb_url(self) -> str | None:
        return self.target.ispyb_url

    def password(self, username: str) -> str:
        return self.target.password(username)


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(name, default=None)
    return str(value) if value else None


@pytest.fixture(scope="session")
def scicat_stack(pytestconfig: pytest.Config) -> Iterator[ScicatStack]:
    """The session's stack: attached by URL, or started from a profile (and torn down if started here)."""
    url = _option(pytestconfig, "--scicatlive-url") or os.environ.get(ENV_URL)
    recipe = _option(pytestconfig, "--scicatlive-recipe")
    if url:
        yield _attach(url, recipe)
        return
    profile = _option(pytestconfig, "--scicatlive-profile") or DEFAULT_PROFILE
    name = _option(pytestconfig, "--scicatlive-stack") or DEFAULT_STACK
    started = _start(profile, name)
    try:
        if recipe:
            from scicatlive.seeding.run import seed_stack

            seed_stack(name, recipe)
        from scicatlive.checks.target import target_from_stack

        yield ScicatStack(target_from_stack(name), started, name, recipe)
    finally:
        if started:
            from scicatlive.runtime.lifecycle import down

            down(name, volumes=True)


def _attach(url: str, recipe: str | None) -> ScicatStack:
    from scicatlive.checks.target import target_from_options

    target = target_from_options(backend_url=url)
    if recipe:
        _seed_by_url(target, recipe)
    return ScicatStack(target, False, None, recipe)


def _seed_by_url(target: Target, recipe: str) -> None:
    from scicatlive.seeding.run import Endpoint, SeedTarget, seed

    account = CLIENT_ACCOUNT if CLIENT_ACCOUNT in target.accounts else next(iter(target.accounts), None)
    if account is None:
        raise pytest.UsageError("seeding a stack by URL needs an account: set SCICATLIVE_USERNAME/SCICATLIVE_PASSWORD")
    password = target.password(account)
    seed_target = SeedTarget(
        scicat=Endpoint(target.backend_url, account, password),
        ispyb=Endpoint(target.ispyb_url, account, password) if target.ispyb_url else None,
        pid_prefix=target.pid_prefix or "PID.SAMPLE.PREFIX",
    )
    seed(seed_target, recipe)


def _start(profile: str, name: str) -> bool:
    """Start the stack unless it is already up; True when this call started it."""
    from scicatlive.errors import ScicatliveError
    from scicatlive.runtime.lifecycle import status, up
    from scicatlive.stack.load import load_stack

    stack = load_stack(profile, stack=name)
    try:
        running = status(name)
    except ScicatliveError:
        running = []
    if running and {s.name for s in running if s.ready} >= set(stack.services):
        return False
    up(stack)
    return True


def _account(stack: ScicatStack) -> str:
    if CLIENT_ACCOUNT in stack.target.accounts:
        return CLIENT_ACCOUNT
    if not stack.target.accounts:
        pytest.skip("no account credentials for the stack (SCICATLIVE_USERNAME/SCICATLIVE_PASSWORD)")
    return next(iter(stack.target.accounts))


@pytest.fixture
def scicat_client(scicat_stack: ScicatStack) -> Iterator[httpx.Client]:
    """An httpx client of the SciCat backend, logged in (as ``admin`` when the stack has it)."""
    import httpx

    account = _account(scicat_stack)
    with httpx.Client(base_url=scicat_stack.backend_url, timeout=30) as client:
        reply = client.post("/api/v3/auth/login", json={"username": account, "password": scicat_stack.password(account)})
        if reply.status_code not in (200, 201):
            pytest.fail(f"log in to SciCat as {account}: {reply.status_code} {reply.text[:200]}")
        client.headers["Authorization"] = f"Bearer {reply.json()['access_token']}"
        yield client


@pytest.fixture
def ispyb_client(scicat_stack: ScicatStack) -> Iterator[httpx.Client]:
    """An httpx client of the ISPyB mock (base URL ``…/ispyb/api/v1``), logged in."""
    import httpx

    if scicat_stack.ispyb_url is None:
        pytest.skip("the stack has no ISPyB (SCICATLIVE_ISPYB_URL)")
    account = _account(scicat_stack)
    with httpx.Client(base_url=f"{scicat_stack.ispyb_url}/ispyb/api/v1", timeout=30) as client:
        reply = client.post("/auth/login", json={"plugin": "dummy", "login": account, "password": scicat_stack.password(account)})
        if reply.status_code not in (200, 201):
            pytest.fail(f"log in to ISPyB as {account}: {reply.status_code} {reply.text[:200]}")
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        yield client
