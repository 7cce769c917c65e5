"""Test helpers for scicat-lite: serve an app in a thread, a handle on a running server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx


@contextmanager
def serve_in_thread(app: Any, port: int) -> Iterator[str]:
    """Run ``app`` with uvicorn on ``127.0.0.1:port`` until the block ends; yields its URL."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("scicat-lite did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass(frozen=True)
class LiteServer:
    """A running scicat-lite instance and the credentials of its accounts."""

    url: str
    passwords: dict[str, str]
    pid_prefix: str

    def token(self, username: str) -> str:
        response = httpx.post(
            f"{self.url}/api/v3/auth/login",
            json={"username": username, "password": self.passwords[username]},
        )
        response.raise_for_status()
        token: str = response.json()["id"]
        return token

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@contextmanager
def sdk_client(server: LiteServer, username: str | None = None) -> Iterator[Any]:
    """A scicat-sdk-py ``ApiClient`` for ``server``, logged in as ``username`` when given."""
    import scicat_sdk_py as sdk

    config = sdk.Configuration(host=server.url)
    with sdk.ApiClient(config) as client:
        if username is not None:
            credentials = sdk.CredentialsDto(username=username, password=server.passwords[username])
            config.access_token = (
                sdk.AuthApi(client).auth_controller_login_v3(credentials).access_token
            )
        yield client
