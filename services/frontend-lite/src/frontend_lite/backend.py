"""The SciCat REST API as this frontend uses it: one async client, errors made explicit.

Every call carries the signed-in user's token (or none for anonymous visitors).
Failures become one of three exceptions, so that pages can tell the user what
happened: the backend cannot be reached, it refused (401/403/404), or it failed.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)


class BackendUnreachable(Exception):
    """No answer from the backend (connection refused, DNS, timeout)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class BackendError(Exception):
    """The backend answered with an error status."""

    def __init__(self, status: int, message: str, what: str) -> None:
        super().__init__(f"{what}: {status} {message}")
        self.status = status
        self.message = message
        self.what = what


def segment(value: str) -> str:
    """A path segment: pids hold ``/``, which must travel as ``%2F``."""
    return quote(value, safe="")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body
        if isinstance(message, list):
            return "; ".join(str(m) for m in message)
        return str(message)
    return str(body)[:200]


def _jsonify(params: dict[str, Any] | None) -> dict[str, str] | None:
    if params is None:
        return None
    return {
        key: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for key, value in params.items()
    }


class BackendClient:
    """Calls ``<base_url>/api/v3/…``; one instance (and connection pool) per app.

    A connection is given ``connect_timeout`` (short: a backend that cannot be reached must
    not hold a page for long), an answer ``timeout``. While :attr:`outage` is set (by the
    health monitor, see :mod:`frontend_lite.health`), calls fail at once as unreachable
    instead of queueing on a dead backend.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 15.0,
        connect_timeout: float = 0.5,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.outage: str | None = None
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/api/v3",
            timeout=httpx.Timeout(timeout, connect=connect_timeout, pool=connect_timeout * 2),
            transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self, method: str, path: str, *, timeout: float | None = None, **options: Any
    ) -> httpx.Response:
        """One exchange; no answer becomes :class:`BackendUnreachable`, any answer is returned."""
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            return await self._http.request(method, path, **options, **extra)
        except httpx.TimeoutException as error:
            raise BackendUnreachable(
                self.base_url, f"no answer in time ({type(error).__name__})"
            ) from error
        except httpx.TransportError as error:
            raise BackendUnreachable(self.base_url, str(error) or type(error).__name__) from error

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        what: str = "",
    ) -> Any:
        if self.outage is not None:
            raise BackendUnreachable(self.base_url, self.outage)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.send(
            method, path, params=_jsonify(params), json=json_body, headers=headers
        )
        if response.status_code >= 400:
            raise BackendError(response.status_code, _message(response), what or f"{method} {path}")
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise BackendError(
                502,
                f"not JSON ({response.headers.get('content-type', 'no content type')})",
                what or f"{method} {path}",
            ) from error

    async def get(self, path: str, *, token: str | None, what: str, **params: Any) -> Any:
        return await self.request("GET", path, token=token, params=params or None, what=what)

    # -- the calls the screens make ---------------------------------------------------

    async def login(self, username: str, password: str) -> Any:
        return await self.request(
            "POST",
            "/auth/login",
            json_body={"username": username, "password": password},
            what="log in",
        )

    async def logout(self, token: str) -> None:
        try:
            await self.request("POST", "/auth/logout", token=token, what="log out")
        except (BackendError, BackendUnreachable) as error:
            # The session is dropped here either way; the backend's JWTs expire on their own.
            log.info("backend logout failed: %s", error)
