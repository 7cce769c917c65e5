"""Servers in threads for the frontend tests: scicat-lite and frontend-lite on loopback."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

# The backend the frontend talks to is scicat-lite, with its own test harness.
from tests.services.scicat_lite.lite_harness import LiteServer as Backend
from tests.support import free_port

__all__ = ["Backend", "form_login", "free_port", "login", "serve"]


@contextmanager
def serve(app: Any, port: int, name: str) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a daemon thread until the block ends."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True, name=name)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


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
