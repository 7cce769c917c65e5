"""The plugin's fixtures: thin callers of ``scicatlive.Stack``, whose heavy imports happen on first use.

``scicat_stack`` (session) either attaches to a backend given by
``--scicatlive-url``/``SCICATLIVE_URL`` (with ``SCICATLIVE_ISPYB_URL``,
``SCICATLIVE_FRONTEND_URL`` and credentials from ``SCICATLIVE_CREDENTIALS_FILE``
or ``SCICATLIVE_USERNAME``/``SCICATLIVE_PASSWORD``), or starts the profile as a
stack of its own on a free block of host ports (so it runs beside a developer's
own stack), reusing it when it is already up. It seeds the recipe when one is
given, and tears down only a stack it started itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import httpx

    from scicatlive.clients.http import Call
    from scicatlive.clients.target import Target
    from scicatlive.handle import Stack

ENV_URL = "SCICATLIVE_URL"
DEFAULT_STACK = "scicatlive-pytest"
DEFAULT_PROFILE = "lite"


@dataclass(frozen=True)
class ScicatStack:
    """What the tests get: the stack handle, where it is, and whether this session started it."""

    stack: Stack
    started: bool
    recipe: str | None

    @property
    def target(self) -> Target:
        return self.stack.target

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
    from scicatlive.handle import Stack

    url = _option(pytestconfig, "--scicatlive-url") or os.environ.get(ENV_URL)
    recipe = _option(pytestconfig, "--scicatlive-recipe")
    if url:
        handle = Stack.attach(url)
        if recipe:
            handle.seed(recipe, account=_account(handle.target))
        yield ScicatStack(handle, False, recipe)
        return
    profile = _option(pytestconfig, "--scicatlive-profile") or DEFAULT_PROFILE
    name = _option(pytestconfig, "--scicatlive-stack") or DEFAULT_STACK
    handle = Stack(profile, name=name)
    # Only the recipe asked for: a test session decides what its data is.
    if handle.running():
        if recipe:
            handle.seed(recipe)
    else:
        handle.up(seed=recipe or False)
    try:
        yield ScicatStack(handle, handle.started, recipe)
    finally:
        if handle.started:
            handle.down(volumes=True)


def _account(target: Target) -> str:
    from scicatlive.defaults import DEFAULT_ACCOUNT

    if DEFAULT_ACCOUNT in target.accounts:
        return DEFAULT_ACCOUNT
    if not target.accounts:
        pytest.skip("no account credentials for the stack (SCICATLIVE_USERNAME/SCICATLIVE_PASSWORD)")
    return next(iter(target.accounts))


def _logged_in(base_url: str, login: Call[str], what: str) -> httpx.Client:
    import httpx

    from scicatlive.clients.http import Session
    from scicatlive.errors import ServiceError

    try:
        with Session(base_url) as session:
            token = session.run(login)
    except ServiceError as error:
        pytest.fail(f"log in to {what}: {error.message}")
    return httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def scicat_client(scicat_stack: ScicatStack) -> Iterator[httpx.Client]:
    """An httpx client of the SciCat backend, logged in (as ``admin`` when the stack has it)."""
    from scicatlive.clients import scicat

    account = _account(scicat_stack.target)
    login = scicat.login(account, scicat_stack.password(account))
    with _logged_in(scicat_stack.backend_url, login, "SciCat") as client:
        yield client


@pytest.fixture
def ispyb_client(scicat_stack: ScicatStack) -> Iterator[httpx.Client]:
    """An httpx client of the ISPyB mock (base URL ``…/ispyb/api/v1``), logged in."""
    from scicatlive.clients import ispyb

    if scicat_stack.ispyb_url is None:
        pytest.skip("the stack has no ISPyB (SCICATLIVE_ISPYB_URL)")
    account = _account(scicat_stack.target)
    login = ispyb.login(account, scicat_stack.password(account))
    base = f"{scicat_stack.ispyb_url}{ispyb.ISPYB_API}"
    with _logged_in(scicat_stack.ispyb_url, login, "ISPyB") as client:
        client.base_url = base
        yield client
