"""Steps the frontend tests share: the backend handle, and logging in (browser or httpx)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

# The backend the frontend talks to is scicat-lite, with its own test harness.
from tests.services.scicat_lite.lite_harness import LiteServer as Backend

__all__ = [
    "MX_RECIPE",
    "PID_PREFIX",
    "Backend",
    "form_login",
    "login",
    "navigating_again",
    "seed_mx",
    "steady_contexts",
]

PID_PREFIX = "20.500.12345"
MX_RECIPE = Path(__file__).with_name("mx_recipe.yaml")


def seed_mx(backend: Backend) -> None:
    """Seed ``backend`` with ``mx_recipe.yaml`` by scicatlive's own seeding (a Stack attached by URL)."""
    from scicatlive import Stack

    stack = Stack.attach(
        backend.url, username="admin", password=backend.passwords["admin"], pid_prefix=PID_PREFIX
    )
    # In a thread of its own: Playwright's sync API may hold an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(stack.seed, MX_RECIPE).result()


def login(page: Any, backend: Backend, username: str, next_path: str = "/datasets") -> None:
    """Sign in through the login form, as a person would, and land on ``next_path``."""
    page.goto(f"/login?next={quote(next_path)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(backend.passwords[username])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("[data-testid=signed-in-user]")


def form_login(client: Any, username: str, password: str) -> None:
    """Sign an ``httpx.Client`` in through the login form (its CSRF field included)."""
    page = client.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "no csrf field on /login"
    reply = client.post(
        "/login", data={"username": username, "password": password, "csrf": match.group(1)}
    )
    assert reply.status_code == 303, reply.text


def steady_contexts(new_context: Any) -> Any:
    """Contexts whose pages navigate again when Chromium aborted a navigation because the
    machine's network interfaces changed (``net::ERR_NETWORK_CHANGED``): Docker adds and
    removes one per container, and CI runs its Docker tests beside these."""

    def steady_context(*args: Any, **kwargs: Any) -> Any:
        context = new_context(*args, **kwargs)
        new_page = context.new_page

        def steady_page() -> Any:
            tab = new_page()
            tab.goto = navigating_again(tab.goto)
            return tab

        context.new_page = steady_page
        return context

    return steady_context


def navigating_again(goto: Any, attempts: int = 3) -> Any:
    from playwright.sync_api import Error

    def goto_again(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, attempts + 1):
            try:
                return goto(*args, **kwargs)
            except Error as error:
                if "net::ERR_NETWORK_CHANGED" not in str(error) or attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    return goto_again
