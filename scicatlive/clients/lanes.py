"""The lanes of an ``AsyncSession``: each runs one request at a time on its own kept-alive connection.

Plain ``http://`` lanes speak HTTP/1.1 themselves (:mod:`.wire`); TLS, proxies from the
environment and injected transports go through an httpx client of one connection each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson

from scicatlive import __version__
from scicatlive.clients.wire import KeepAliveTransport, speaks_directly

Params = Mapping[str, str | list[str]]
USER_AGENT = f"scicatlive/{__version__}"


class _ClientLane:
    """A lane through an httpx client: for TLS, proxies and injected transports."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(
        self, method: str, path: str, body: Any, params: Params | None, headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.request(method, path, json=body, params=params, headers=headers)

    async def aclose(self) -> None:
        await self.client.aclose()


class _DirectLane:
    """A lane straight onto its kept-alive connection, without a client or an ``httpx.Request``.

    A lane needs none of a client's cookies, authentication flows, redirects or URL merging;
    they cost the seeder a quarter of its CPU per request. It writes the request itself, as
    httpx would (:func:`request_message`): an ``httpx.Request`` took 69 µs to build, 23 µs of
    them for the JSON body; this takes about 5.
    """

    def __init__(self, base_url: str, timeout: httpx.Timeout) -> None:
        url = httpx.URL(base_url)
        self._base_url = base_url
        self._origin = (url.host, url.port or 80)
        self._prefix = _path_prefix(base_url)
        self._head = _fixed_head(url)
        self._timeout = timeout.as_dict()
        self._connection = KeepAliveTransport()

    async def send(
        self, method: str, path: str, body: Any, params: Params | None, headers: dict[str, str]
    ) -> httpx.Response:
        target = self._prefix + ("" if path.startswith("/") else "/") + path
        message = request_message(method, target, params, body, self._head, headers)
        if message is None:  # a path httpx would escape: let it build the request
            request = httpx.Request(
                method, self._base_url + ("" if path.startswith("/") else "/") + path, params=params, json=body,
                headers={"User-Agent": USER_AGENT, **headers}, extensions={"timeout": self._timeout},
            )  # fmt: skip
            return await self._connection.handle_async_request(request)
        return await self._connection.exchange(self._origin, method, message, self._timeout)

    async def aclose(self) -> None:
        await self._connection.aclose()


# What httpx leaves unescaped in a path: unreserved characters, sub-delimiters, ":/[]@" and
# existing %XX escapes.
_PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:/\[\]@]|%[0-9A-Fa-f]{2})*")


def request_message(
    method: str, target: str, params: Params | None, body: Any, head: bytes, headers: dict[str, str]
) -> bytes | None:
    """The request as httpx's client would write it, or None when ``target`` needs escaping."""
    if not _PLAIN_PATH.fullmatch(target):
        return None
    if params:
        target += "?" + urlencode([(k, v) for k, vs in params.items() for v in ([vs] if isinstance(vs, str) else vs)])
    lines = [f"{method} {target} HTTP/1.1".encode("ascii"), head]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers.items()]
    if body is None:
        return b"\r\n".join(lines) + b"\r\n\r\n"
    content = _json(body)
    lines.append(b"Content-Length: %d\r\nContent-Type: application/json" % len(content))
    return b"\r\n".join(lines) + b"\r\n\r\n" + content


def _json(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):  # keys that are not strings, integers over 64 bits
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _path_prefix(base_url: str) -> str:
    """The base URL's path, as a lane's paths are appended to it (``http://h:3000/ispyb`` → ``/ispyb``)."""
    authority_and_path = base_url.split("://", 1)[1]
    _, slash, path = authority_and_path.partition("/")
    return slash + path


def _fixed_head(url: httpx.URL) -> bytes:
    """The headers of every request to ``url``: its host, as httpx writes it, and the user agent."""
    host = httpx.Request("GET", url).headers["host"]
    return f"Host: {host}\r\nUser-Agent: {USER_AGENT}".encode("latin-1")


class Lanes:
    """At most ``concurrency`` requests in flight, each on a lane with one keep-alive connection.

    One client with a pool of N connections costs O(N) per request: httpcore scans the whole
    pool and polls every idle socket to place each request. At 32 connections that was 2.5 ms
    of the seeder's CPU per create, more than the backend's own work for it.
    """

    def __init__(
        self, base_url: str, concurrency: int, timeout: httpx.Timeout, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self._base_url, self._timeout, self._transport = base_url, timeout, transport
        self._direct = transport is None and speaks_directly(base_url)
        self._free = asyncio.Semaphore(max(1, concurrency))
        self._idle: list[_ClientLane | _DirectLane] = []
        self._all: list[_ClientLane | _DirectLane] = []
        self._ssl: ssl.SSLContext | None = None

    def _lane(self) -> _ClientLane | _DirectLane:
        if self._transport is not None:  # an injected transport is shared; it has no pool to scan
            if not self._all:
                shared = httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout, transport=self._transport)
                self._all.append(_ClientLane(shared))
            return self._all[0]
        if self._idle:
            return self._idle.pop()
        lane: _ClientLane | _DirectLane
        if self._direct:
            lane = _DirectLane(self._base_url, self._timeout)
        else:
            if self._ssl is None:  # one for all: each client would load the CA bundle (42 ms)
                self._ssl = httpx.create_ssl_context()
            lane = _ClientLane(httpx.AsyncClient(
                base_url=self._base_url, timeout=self._timeout, verify=self._ssl,
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            ))  # fmt: skip
        self._all.append(lane)
        return lane

    @contextlib.asynccontextmanager
    async def lane(self) -> AsyncIterator[_ClientLane | _DirectLane]:
        async with self._free:
            lane = self._lane()
            try:
                yield lane
            finally:
                if self._transport is None:
                    self._idle.append(lane)

    async def aclose(self) -> None:
        await asyncio.gather(*(lane.aclose() for lane in self._all))
        self._all.clear()
        self._idle.clear()
