"""One way to call a service: timeouts, retries with backoff, and errors that say what failed.

Every request names its operation ("create dataset PID/x"), so a failure reads
``create dataset PID/x: 400 Bad Request: <server message>``; tokens and
passwords never appear in messages.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

import httpx

from scicatlive.errors import ServiceError

RETRYABLE_STATUS = {502, 503, 504}
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass(frozen=True)
class RetryPolicy:
    """Back off exponentially with jitter; give up after ``deadline`` seconds."""

    attempts: int = 12
    first_delay: float = 0.2
    max_delay: float = 5.0
    retry_server_errors: bool = True

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2.0**attempt) * (0.5 + random.random() / 2))


class ApiError(ServiceError):
    """A service answered with an unexpected status."""

    def __init__(self, operation: str, status: int, detail: str) -> None:
        super().__init__(f"{operation}: {status} {_reason(status)}: {detail}")
        self.operation = operation
        self.status = status
        self.detail = detail


class Unreachable(ServiceError):
    """The service did not answer at all, even after retries."""


def _reason(status: int) -> str:
    return httpx.codes.get_reason_phrase(status)


def server_message(response: httpx.Response) -> str:
    """The most useful short text of an error response."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text.strip()[:300] or "(empty body)"
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if key in body:
                value = body[key]
                return value if isinstance(value, str) else json.dumps(value)[:300]
    return json.dumps(body)[:300]


class AsyncApi:
    """An async JSON client for one service, with bounded concurrency and retries."""

    def __init__(
        self,
        base_url: str,
        *,
        concurrency: int = 16,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._limit = asyncio.Semaphore(concurrency)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._token: str | None = None

    def use_token(self, token: str) -> None:
        self._token = token

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> AsyncApi:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201),
        tolerate: tuple[int, ...] = (),
    ) -> httpx.Response:
        """Send a request; ``tolerate`` lists statuses the caller handles itself (e.g. 409)."""
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        last_problem = ""
        for attempt in range(self.retry.attempts):
            try:
                async with self._limit:
                    response = await self._client.request(method, path, json=json_body, params=params, headers=headers)
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                if response.status_code in ok or response.status_code in tolerate:
                    return response
                retryable = response.status_code in RETRYABLE_STATUS or (
                    self.retry.retry_server_errors and response.status_code >= 500
                )
                if not retryable:
                    raise ApiError(operation, response.status_code, server_message(response))
                last_problem = f"{response.status_code} {server_message(response)}"
            await asyncio.sleep(self.retry.delay(attempt))
        raise Unreachable(
            f"{operation}: {self.base_url} did not answer after {self.retry.attempts} attempts ({last_problem})",
            hint="is the service up? `scicatlive status` shows its health",
        )
