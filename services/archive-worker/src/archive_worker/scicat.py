"""The SciCat API, as an archive system uses it: log in, update jobs, write dataset lifecycles.

Only routes backend v5.2.1 has (and scicat-lite imitates): `POST /api/v3/auth/login`,
`PATCH /api/v4/jobs/{id}` (statusCode and statusMessage required) and
`GET|PATCH /api/v4/datasets/{pid}/datasetlifecycle`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)
_RETRIES = 5


class ScicatError(Exception):
    """The backend refused a request (4xx), or stayed unreachable through the retries."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ScicatClient:
    def __init__(self, base_url: str, username: str, password: str, *, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self._username = username
        self._password = password
        self._token: str | None = None
        self._login_lock = asyncio.Lock()

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    async def login(self) -> None:
        async with self._login_lock:
            reply = await self._send("POST", "/api/v3/auth/login",
                                     json={"username": self._username, "password": self._password},
                                     authenticate=False)
            body = reply.json()
            token = body.get("access_token") or body.get("id")
            if not token:
                raise ScicatError("the login reply holds no access_token")
            self._token = token

    async def update_job(self, job_id: str, status: str, message: str,
                         result: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"statusCode": status, "statusMessage": message}
        if result is not None:
            body["jobResultObject"] = result
        reply = await self.request("PATCH", f"/api/v4/jobs/{quote(job_id, safe='')}", json=body)
        return dict(reply.json())

    async def lifecycle(self, pid: str) -> dict[str, Any]:
        reply = await self.request("GET", f"/api/v4/datasets/{quote(pid, safe='')}/datasetlifecycle")
        return dict(reply.json() or {})

    async def update_lifecycle(self, pid: str, changes: dict[str, Any]) -> dict[str, Any]:
        reply = await self.request(
            "PATCH", f"/api/v4/datasets/{quote(pid, safe='')}/datasetlifecycle", json=changes
        )
        return dict(reply.json() or {})

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An authenticated request; logs in first, and again once if the token expired."""
        if self._token is None:
            await self.login()
        try:
            return await self._send(method, path, **kwargs)
        except ScicatError as exc:
            if exc.status != 401:
                raise
        await self.login()
        return await self._send(method, path, **kwargs)

    async def _send(self, method: str, path: str, *, authenticate: bool = True,
                    **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if authenticate and self._token else {}
        delay = 0.5
        for attempt in range(1, _RETRIES + 1):
            try:
                reply = await self._http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                problem, status = f"{type(exc).__name__}: {exc}", None
            else:
                if reply.status_code < 400:
                    return reply
                problem, status = f"{reply.status_code} {_message(reply)}", reply.status_code
                if reply.status_code < 500:
                    raise ScicatError(f"{method} {path}: {problem}", status)
            if attempt < _RETRIES:
                log.warning("%s %s failed (%s); retrying in %.1f s", method, path, problem, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise ScicatError(f"{method} {path}: {problem} (after {_RETRIES} attempts)", status)


def _message(reply: httpx.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:200]
    message = body.get("message", body) if isinstance(body, dict) else body
    return str(message)[:300]
