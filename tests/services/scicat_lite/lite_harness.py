"""Test helpers for scicat-lite: a handle on a running server."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


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
