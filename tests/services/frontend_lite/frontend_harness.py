"""Steps the frontend tests share: the backend handle, and logging in (browser or httpx)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

# The backend the frontend talks to is scicat-lite, with its own test harness.
from tests.services.scicat_lite.lite_harness import LiteServer as Backend

__all__ = ["Backend", "form_login", "login"]


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
