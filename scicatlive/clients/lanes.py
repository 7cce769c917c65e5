"""The lanes of an ``AsyncSession``: each runs one request at a time on its own kept-alive connection.

Plain ``http://`` lanes speak HTTP/1.1 themselves (:mod:`.wire`); TLS, proxies from the
environment and injected transports go through an httpx client of one connection each.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

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
    """A lane straight onto its kept-alive connection, without a client in between.

    A lane needs none of a client's cookies, authentication flows, redirects or URL merging;
    they cost the seeder a quarter of its CPU per request.
    """

    def __init__(self, base_url: str, timeout: httpx.Timeout) -> None:
        self._base_url = base_url
        self._timeout = timeout.as_dict()
        self._connection = KeepAliveTransport()

    async def send(
        self, method: str, path: str, body: Any, params: Params | None, headers: dict[str, str]
    ) -> httpx.Response:
        request = httpx.Request(
            method, self._base_url + ("" if path.startswith("/") else "/") + path, params=params, json=body,
            headers={"User-Agent": USER_AGENT, **headers}, extensions={"timeout": self._timeout},
        )  # fmt: skip
        return await self._connection.handle_async_request(request)

    async def aclose(self) -> None:
        await self._connection.aclose()


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
