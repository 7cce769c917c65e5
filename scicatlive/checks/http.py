"""The one HTTP helper of the checks: timeouts, tokens, and failures that name the operation.

A request that does not get the status a check expects becomes
:class:`~scicatlive.checks.model.CheckFailed` with ``<operation>: expected 200,
got 403 Forbidden: <server message>``. Tokens and passwords never appear in
messages: they travel only in headers and request bodies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import httpx

from scicatlive.checks.model import CheckFailed
from scicatlive.clients.http import server_message

Params = dict[str, str | list[str]]
TIMEOUT = httpx.Timeout(15.0, connect=3.0)
SCICAT_API = "/api/v3"
ISPYB_API = "/ispyb/api/v1"


def encode(identifier: str) -> str:
    """Pids hold a slash; in a path segment it must be encoded."""
    return quote(identifier, safe="")


def describe(response: httpx.Response) -> str:
    return f"{response.status_code} {httpx.codes.get_reason_phrase(response.status_code)}: {server_message(response)}"


class Http:
    """A synchronous JSON client of one service, optionally acting as one account."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport, follow_redirects=True)

    def close(self) -> None:
        self._client.close()

    def with_token(self, token: str | None) -> Http:
        """The same connection pool, as another caller."""
        other = Http.__new__(Http)
        other.base_url, other.token, other._client = self.base_url, token, self._client
        return other

    def send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Any answer is returned; only a service that does not answer fails the check."""
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        try:
            return self._client.request(method, path, json=body, params=params, headers=sent)
        except httpx.TransportError as error:
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise CheckFailed(f"{operation}: {self.base_url}{path} did not answer ({reason})") from None

    def expect(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        status: Iterable[int] = (200, 201),
        body: Any = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The JSON body of an answer with one of ``status``; anything else fails the check."""
        wanted = tuple(status)
        response = self.send(operation, method, path, body=body, params=params, headers=headers)
        if response.status_code not in wanted:
            expected = " or ".join(str(s) for s in wanted)
            raise CheckFailed(f"{operation}: expected {expected}, got {describe(response)}")
        if not response.content:
            return None
        try:
            return response.json()
        except json.JSONDecodeError:
            raise CheckFailed(f"{operation}: expected JSON, got {response.text[:120]!r}") from None


def scicat_login(http: Http, username: str, password: str) -> str:
    reply = http.expect(
        f"log in to SciCat as {username}", "POST", f"{SCICAT_API}/auth/login",
        body={"username": username, "password": password}, status=(200, 201),
    )  # fmt: skip
    token = reply.get("access_token") or reply.get("id") if isinstance(reply, dict) else None
    if not isinstance(token, str):
        raise CheckFailed(f"log in to SciCat as {username}: expected an access_token in the reply, got keys {sorted(reply or {})}")
    return token


def ispyb_login(http: Http, login: str, password: str) -> str:
    reply = http.expect(
        f"log in to ISPyB as {login}", "POST", f"{ISPYB_API}/auth/login",
        body={"plugin": "dummy", "login": login, "password": password}, status=(200, 201),
    )  # fmt: skip
    token = reply.get("token") if isinstance(reply, dict) else None
    if not isinstance(token, str):
        raise CheckFailed(f"log in to ISPyB as {login}: expected a token in the reply, got keys {sorted(reply or {})}")
    return token


def filter_param(**filter_: Any) -> dict[str, str]:
    return {"filter": json.dumps(filter_)}
