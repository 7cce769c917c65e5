"""One way to call a service: requests as data, run by a sync or an async session.

A service's client (:mod:`.scicat`, :mod:`.ispyb`) describes each request once, as
a :class:`Call`: the operation's name ("create dataset PID/x"), method, path,
body, the statuses it accepts and how to read the answer. A :class:`Session` runs
calls from plain code (the checks, the pytest plugin); an :class:`AsyncSession`
runs the same calls concurrently (seeding, sync). Both retry with backoff within
a time budget, log in the same way and fail with the same errors:
``create dataset PID/x: 400 Bad Request: <server message>``. Tokens and passwords
never appear in messages.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar

import httpx

from scicatlive.clients.lanes import Lanes, Params
from scicatlive.defaults import DEFAULT_RETRY_SECONDS
from scicatlive.errors import ServiceError

T = TypeVar("T")
RETRYABLE_STATUS = frozenset({502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_DEADLINE = DEFAULT_RETRY_SECONDS


@dataclass(frozen=True)
class RetryPolicy:
    """Back off exponentially with jitter; give up once ``deadline`` seconds have passed.

    ``attempts`` bounds the number of tries too (``None``: only the deadline).
    """

    deadline: float = DEFAULT_DEADLINE
    first_delay: float = 0.2
    max_delay: float = 5.0
    retry_server_errors: bool = True
    attempts: int | None = None

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.first_delay * 2.0**attempt) * (0.5 + random.random() / 2))


NO_RETRY = RetryPolicy(deadline=0.0, attempts=1)


def response(answer: httpx.Response) -> httpx.Response:
    return answer


def json_body(answer: httpx.Response) -> Any:
    return answer.json() if answer.content else None


def token_in(field_name: str, service: str) -> Callable[[httpx.Response], str]:
    """Reads a login reply: the token is the string in ``field_name`` (each service has its own)."""

    def read(answer: httpx.Response) -> str:
        body = answer.json()
        value = body.get(field_name) if isinstance(body, dict) else None
        if not isinstance(value, str):
            keys = sorted(body) if isinstance(body, dict) else type(body).__name__
            raise ServiceError(f"log in to {service}: expected {field_name!r} in the reply, got {keys}")
        return value

    return read


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request to a service, described once and run by either session."""

    operation: str
    method: str
    path: str
    read: Callable[[httpx.Response], T]
    json: Any = None
    params: Params | None = None
    ok: tuple[int, ...] = (200, 201)
    tolerate: tuple[int, ...] = field(default=(), metadata={"doc": "statuses the caller handles (409)"})


class ApiError(ServiceError):
    """A service answered with a status the caller did not accept."""

    def __init__(self, operation: str, status: int, detail: str, *, expected: tuple[int, ...] = ()) -> None:
        wanted = f"expected {' or '.join(map(str, expected))}, got " if expected else ""
        super().__init__(f"{operation}: {wanted}{status} {httpx.codes.get_reason_phrase(status)}: {detail}")
        self.operation = operation
        self.status = status
        self.detail = detail


class Unreachable(ServiceError):
    """The service did not answer usefully within the retry budget."""


def server_message(answer: httpx.Response) -> str:
    """The most useful short text of an error response."""
    try:
        body = answer.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return answer.text.strip()[:300] or "(empty body)"
    if isinstance(body, dict):
        for key in ("message", "detail", "error"):
            if key in body:
                value = body[key]
                return value if isinstance(value, str) else json.dumps(value)[:300]
    return json.dumps(body)[:300]


def describe(answer: httpx.Response) -> str:
    return f"{answer.status_code} {httpx.codes.get_reason_phrase(answer.status_code)}: {server_message(answer)}"


@dataclass
class _Attempts:
    """The retry bookkeeping both sessions share: what to do after each try."""

    session: _SessionBase
    call: Call[Any]
    started: float = field(default_factory=time.monotonic)
    count: int = 0
    problem: str = ""

    def judge(self, answer: httpx.Response | None, error: httpx.TransportError | None) -> float | None:
        """Seconds to wait before the next try, or None when ``answer`` is final."""
        self.count += 1
        policy = self.session.retry
        if answer is not None:
            status = answer.status_code
            if status in self.call.ok or status in self.call.tolerate:
                return None
            retryable = status in RETRYABLE_STATUS or (policy.retry_server_errors and status >= 500)
            if not retryable:
                raise ApiError(self.call.operation, status, server_message(answer))
            self.problem = f"{status} {server_message(answer)}"
        else:
            self.problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        pause = policy.delay(self.count - 1)
        elapsed = time.monotonic() - self.started
        if (policy.attempts is not None and self.count >= policy.attempts) or elapsed + pause > policy.deadline:
            raise self.session.unreachable(self.call.operation, elapsed, self.problem)
        return pause


class _SessionBase:
    def __init__(self, base_url: str, *, service: str, token: str | None, retry: RetryPolicy | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.service = service or self.base_url
        self.token = token
        self.retry = retry or RetryPolicy()

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        sent = dict(extra or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        return sent

    def unreachable(self, operation: str, elapsed: float, problem: str) -> Unreachable:
        return Unreachable(
            f"{operation}: {self.service} at {self.base_url} did not answer within {elapsed:.1f} s ({problem})",
            hint=f"is {self.service} up and its database reachable? `scicatlive status` shows each "
            "service's health; `scicatlive logs SERVICE` says why",
        )


class Session(_SessionBase):
    """A synchronous client of one service, optionally acting as one account."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str = "",
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(base_url, service=service, token=token, retry=retry)
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport, follow_redirects=True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def as_token(self, token: str | None) -> Session:
        """The same connection pool, as another caller."""
        other = Session.__new__(Session)
        other.__dict__.update(self.__dict__)
        other.token = token
        return other

    def run(self, call: Call[T]) -> T:
        attempts = _Attempts(self, call)
        while True:
            try:
                answer: httpx.Response | None = self._request(call.method, call.path, call.json, call.params)
                error = None
            except httpx.TransportError as exc:
                answer, error = None, exc
            pause = attempts.judge(answer, error)
            if pause is None:
                assert answer is not None
                return call.read(answer)
            time.sleep(pause)

    def login(self, call: Call[str]) -> str:
        self.token = self.run(call)
        return self.token

    def send(
        self, operation: str, method: str, path: str, *, body: Any = None,
        params: Params | None = None, headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:  # fmt: skip
        """Any answer, once; only a service that does not answer at all is an error."""
        try:
            return self._request(method, path, body, params, headers)
        except httpx.TransportError as error:
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise Unreachable(f"{operation}: {self.base_url}{path} did not answer ({reason})") from None

    def expect(
        self, operation: str, method: str, path: str, *, status: tuple[int, ...] = (200, 201),
        body: Any = None, params: Params | None = None, headers: Mapping[str, str] | None = None,
    ) -> Any:  # fmt: skip
        """The JSON body of an answer with one of ``status``; anything else is an ApiError."""
        answer = self.send(operation, method, path, body=body, params=params, headers=headers)
        if answer.status_code not in status:
            raise ApiError(operation, answer.status_code, server_message(answer), expected=status)
        if not answer.content:
            return None
        try:
            return answer.json()
        except json.JSONDecodeError:
            raise ApiError(operation, answer.status_code, f"expected JSON, got {answer.text[:120]!r}") from None

    def _request(
        self, method: str, path: str, body: Any, params: Params | None, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return self._client.request(method, path, json=body, params=params, headers=self.headers(headers))


class AsyncSession(_SessionBase):
    """An async client of one service, with bounded concurrency; runs the same calls."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str = "",
        token: str | None = None,
        concurrency: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(base_url, service=service, token=token, retry=retry)
        self._lanes = Lanes(self.base_url, concurrency, timeout, transport)

    async def aclose(self) -> None:
        await self._lanes.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def run(self, call: Call[T]) -> T:
        attempts = _Attempts(self, call)
        while True:
            try:
                async with self._lanes.lane() as lane:
                    answer: httpx.Response | None = await lane.send(
                        call.method, call.path, call.json, call.params, self.headers()
                    )
                error = None
            except httpx.TransportError as exc:
                answer, error = None, exc
            pause = attempts.judge(answer, error)
            if pause is None:
                assert answer is not None
                return call.read(answer)
            await asyncio.sleep(pause)

    async def login(self, call: Call[str]) -> str:
        self.token = await self.run(call)
        return self.token
