"""What every check gets: the target, logged-in clients (made once), and shared reads."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from scicatlive.checks.model import CheckFailed, CheckSkipped
from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.http import NO_RETRY, Call, Session
from scicatlive.clients.target import Target
from scicatlive.defaults import DEFAULT_ACCOUNT

T = TypeVar("T")
ADMIN = DEFAULT_ACCOUNT
CHECK_TIMEOUT = httpx.Timeout(15.0, connect=3.0)


class CheckContext:
    """One run of the checks against one target.

    ``scicat(username)`` and ``ispyb(username)`` log in on first use and reuse the
    token; ``shared(key, compute)`` computes a read once for every check that
    needs it (the consistency checks share one read of each side). A check sends
    each request once: what it sees is what it judges.
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
        self._clients: dict[str, Session] = {}
        self._tokens: dict[tuple[str, str], str] = {}
        self._shared: dict[str, Any] = {}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def http(self, base_url: str, service: str = "") -> Session:
        """An anonymous client of one service (connections are pooled per service)."""
        if base_url not in self._clients:
            self._clients[base_url] = Session(
                base_url, service=service, transport=self.transport, timeout=CHECK_TIMEOUT, retry=NO_RETRY
            )
        return self._clients[base_url]

    def scicat(self, username: str | None = None) -> Session:
        """The backend, anonymously or logged in as one of the target's accounts."""
        http = self.http(self.target.backend_url, scicat_api.SERVICE)
        return http.as_token(None if username is None else self._token(http, "scicat", username))

    def ispyb(self, username: str | None = None) -> Session:
        if self.target.ispyb_url is None:
            raise CheckSkipped("no ISPyB URL (--ispyb-url)")
        http = self.http(self.target.ispyb_url, ispyb_api.SERVICE)
        return http.as_token(None if username is None else self._token(http, "ispyb", username))

    def _token(self, http: Session, service: str, username: str) -> str:
        key = (service, username)
        if key not in self._tokens:
            login: Call[str] = (scicat_api if service == "scicat" else ispyb_api).login(username, self.password(username))
            self._tokens[key] = http.as_token(None).run(login)
        return self._tokens[key]

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
