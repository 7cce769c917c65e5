"""What every check gets: the target, logged-in clients (made once), and shared reads."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from scicatlive.checks.http import Http, ispyb_login, scicat_login
from scicatlive.checks.model import CheckFailed, CheckSkipped
from scicatlive.checks.target import Target

T = TypeVar("T")
ADMIN = "admin"


class CheckContext:
    """One run of the checks against one target.

    ``scicat(username)`` and ``ispyb(username)`` log in on first use and reuse the
    token; ``shared(key, compute)`` computes a read once for every check that
    needs it (the consistency checks share one read of each side).
    """

    def __init__(
        self,
        target: Target,
        *,
        read_only: bool = False,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.target = target
        self.read_only = read_only
        self.transport = transport
        self.async_transport = async_transport
        self.run_id = f"scicatlive-check-{secrets.token_hex(4)}"
        self._clients: dict[str, Http] = {}
        self._tokens: dict[tuple[str, str], str] = {}
        self._shared: dict[str, Any] = {}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def http(self, base_url: str) -> Http:
        """An anonymous client of one service (connections are pooled per service)."""
        if base_url not in self._clients:
            self._clients[base_url] = Http(base_url, transport=self.transport)
        return self._clients[base_url]

    def scicat(self, username: str | None = None) -> Http:
        """The backend, anonymously or logged in as one of the target's accounts."""
        http = self.http(self.target.backend_url)
        if username is None:
            return http.with_token(None)
        key = ("scicat", username)
        if key not in self._tokens:
            self._tokens[key] = scicat_login(http, username, self.password(username))
        return http.with_token(self._tokens[key])

    def ispyb(self, login: str | None = None) -> Http:
        if self.target.ispyb_url is None:
            raise CheckSkipped("no ISPyB URL (--ispyb-url)")
        http = self.http(self.target.ispyb_url)
        if login is None:
            return http.with_token(None)
        key = ("ispyb", login)
        if key not in self._tokens:
            self._tokens[key] = ispyb_login(http, login, self.password(login))
        return http.with_token(self._tokens[key])

    def password(self, username: str) -> str:
        try:
            return self.target.password(username)
        except KeyError as error:
            raise CheckSkipped(str(error.args[0])) from None

    def require_accounts(self, *usernames: str) -> None:
        missing = [u for u in usernames if u not in self.target.accounts]
        if missing:
            raise CheckSkipped(f"needs the credentials of {', '.join(missing)} (--credentials FILE)")

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per run; a failure is remembered and raised again for every caller."""
        if key not in self._shared:
            try:
                self._shared[key] = compute()
            except (CheckFailed, CheckSkipped) as error:
                self._shared[key] = error
        value = self._shared[key]
        if isinstance(value, (CheckFailed, CheckSkipped)):
            raise value
        result: T = value
        return result
