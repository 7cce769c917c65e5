"""HTTP/1.1 over one kept-alive connection: the transport of each lane of an ``AsyncSession``.

httpx's default transport (httpcore on anyio, h11 for the protocol) costs the seeder more CPU
per request than the backend's work for it: it writes a request's head and body in two
system calls, parses with pure-Python h11 and wraps each read and write in anyio's cancel
scopes. A lane runs one request at a time on one connection, so it needs none of a pool's
machinery: this writes each request with one system call and reads the answer with asyncio's
own stream reader. Plain ``http://`` only; TLS services keep httpx's transport.
"""

from __future__ import annotations

import asyncio
import urllib.request

import httpx

NO_BODY_STATUSES = frozenset({204, 304})
MAX_HEAD_BYTES = 64 * 1024
CLOSED_UNANSWERED = "server closed the connection without answering"


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """One connection to one ``http://`` origin, opened on first use and reopened when the server closed it."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._origin: tuple[str, int] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "http":
            raise httpx.UnsupportedProtocol(f"{request.url.scheme!r} needs httpx's transport", request=request)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        message = _serialise(request, await request.aread())
        origin = (request.url.host, request.url.port or 80)
        return await self.exchange(origin, request.method, message, timeouts, request)

    async def exchange(
        self, origin: tuple[str, int], method: str, message: bytes, timeouts: dict[str, float | None],
        request: httpx.Request | None = None,
    ) -> httpx.Response:  # fmt: skip
        """Send ``message`` (a whole HTTP/1.1 request) to ``origin`` and read the answer.

        ``request`` is only named in errors and attached to the answer; the caller may build
        ``message`` itself (:class:`~scicatlive.clients.lanes._DirectLane`).
        """
        while True:
            reused = await self._connection(origin, timeouts.get("connect"), request)
            try:
                return await self._exchange(method, message, timeouts, request)
            except _ClosedBeforeAnswer:
                self._drop()
                # A kept-alive connection that the server closed as we reused it (its idle
                # timeout) never got the request: sending it again on a new one is safe.
                if not reused:
                    raise httpx.RemoteProtocolError(CLOSED_UNANSWERED, request=request) from None
            except BaseException:
                # Failed, timed out or cancelled mid-exchange: the rest of this answer may still
                # arrive, and must not be read as the next request's.
                self._drop()
                raise

    async def aclose(self) -> None:
        self._drop()

    async def _connection(self, origin: tuple[str, int], timeout: float | None, request: httpx.Request | None) -> bool:
        """Open a connection unless a usable one is there; True when it is reused."""
        reader, writer = self._reader, self._writer
        usable = reader is not None and writer is not None and not reader.at_eof() and not writer.is_closing()
        if usable and origin == self._origin:
            return True
        self._drop()
        try:
            async with asyncio.timeout(timeout):
                opened = await asyncio.open_connection(*origin, limit=MAX_HEAD_BYTES)
            self._reader, self._writer = opened
        except TimeoutError:
            message = f"no connection to {origin[0]}:{origin[1]} within {timeout} s"
            raise httpx.ConnectTimeout(message, request=request) from None
        except OSError as error:
            raise httpx.ConnectError(str(error) or type(error).__name__, request=request) from None
        self._origin = origin
        return False

    async def _exchange(
        self, method: str, message: bytes, timeouts: dict[str, float | None], request: httpx.Request | None
    ) -> httpx.Response:
        reader, writer = self._reader, self._writer
        assert reader is not None and writer is not None
        try:
            writer.write(message)
            if writer.transport.get_write_buffer_size() > 0:
                async with asyncio.timeout(timeouts.get("write")):
                    await writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("the request was not sent in time", request=request) from None
        except OSError as error:
            raise _ClosedBeforeAnswer from error
        try:
            async with asyncio.timeout(timeouts.get("read")):
                status, reason, headers, keep_alive = await _read_head(reader)
                if method == "HEAD" or status in NO_BODY_STATUSES or status == 101:
                    body = b""
                else:
                    body, keep_alive = await _read_body(reader, headers, keep_alive)
        except TimeoutError:
            raise httpx.ReadTimeout("the server did not answer in time", request=request) from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            raise httpx.RemoteProtocolError(f"a broken answer: {error}", request=request) from None
        if not keep_alive:
            self._drop()
        return httpx.Response(
            status, headers=headers, content=body, request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )  # fmt: skip

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


class _ClosedBeforeAnswer(Exception):
    """The connection ended before a byte of the answer arrived."""


def _serialise(request: httpx.Request, body: bytes) -> bytes:
    headers = request.headers
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    for name, value in headers.raw:
        if name.lower() != b"transfer-encoding":
            lines.append(name + b": " + value)
    if body and "content-length" not in headers:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, bytes, list[tuple[bytes, bytes]], bool]:
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:
                raise _ClosedBeforeAnswer from None
            raise
        status_line, *header_lines = head[:-4].split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        code, _, reason = rest.partition(b" ")
        status = int(code)
        if not 100 <= status < 200 or status == 101:
            break  # an interim answer (100 Continue, 103 Early Hints) is followed by the real one
    headers: list[tuple[bytes, bytes]] = []
    for line in header_lines:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ValueError(f"a header line without a colon: {line[:80]!r}")
        headers.append((name.strip(), value.strip()))
    connection = _header(headers, b"connection").lower()
    keep_alive = b"close" not in connection and (version == b"HTTP/1.1" or b"keep-alive" in connection)
    return status, reason, headers, keep_alive


async def _read_body(
    reader: asyncio.StreamReader, headers: list[tuple[bytes, bytes]], keep_alive: bool
) -> tuple[bytes, bool]:
    if b"chunked" in _header(headers, b"transfer-encoding").lower():
        return await _read_chunks(reader), keep_alive
    length = _header(headers, b"content-length")
    if length:
        return await reader.readexactly(int(length)), keep_alive
    return await reader.read(), False  # delimited by the end of the connection


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    for key, value in headers:
        if key.lower() == name:
            return value
    return b""


def speaks_directly(base_url: str) -> bool:
    """Whether lanes to ``base_url`` use :class:`KeepAliveTransport`: plain http, no proxy for it.

    TLS, and proxies from the environment (``HTTP_PROXY``, ``NO_PROXY``), stay with httpx.
    """
    url = httpx.URL(base_url)
    if url.scheme != "http":
        return False
    proxies = urllib.request.getproxies_environment()
    if not (proxies.get("http") or proxies.get("all")):
        return True
    return bool(urllib.request.proxy_bypass(url.host))
