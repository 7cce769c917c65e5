"""scicat-lite's HTTP protocol: a complete answer leaves in one write, every answer intact."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from scicat_lite.wire import OneWriteProtocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tests.support import free_port

Scope = dict[str, Any]


class _CountingTransport:
    """Counts the writes a response makes (``write`` and ``writelines`` alike)."""

    def __init__(self, transport: asyncio.Transport, writes: list[bytes]) -> None:
        self.transport = transport
        self.writes = writes

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.transport.write(data)

    def writelines(self, parts: list[bytes]) -> None:
        self.writes.append(b"".join(parts))
        self.transport.writelines(parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _counting(base: type[HttpToolsProtocol], writes: list[bytes]) -> type[HttpToolsProtocol]:
    class Counting(base):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(_CountingTransport(transport, writes))

    return Counting


async def _app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one,", b"two"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    if path == "/fails-after-start":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise RuntimeError("the application broke after its head")
    body = b'{"answer": 42}' if path == "/full" else b""
    status = 204 if path == "/empty" else 200
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _serve(protocol: type[HttpToolsProtocol]) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(_app, host="127.0.0.1", port=port, http=protocol, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def writes() -> list[bytes]:
    return []


@pytest.fixture
def one_write_server(writes: list[bytes]) -> Iterator[str]:
    yield from _serve(_counting(OneWriteProtocol, writes))


@pytest.fixture
def uvicorn_server(writes: list[bytes]) -> Iterator[str]:
    yield from _serve(_counting(HttpToolsProtocol, writes))


def test_a_complete_answer_is_one_write_where_uvicorn_makes_two(
    one_write_server: str, uvicorn_server: str, writes: list[bytes]
) -> None:
    with httpx.Client(base_url=uvicorn_server) as client:
        assert client.get("/full").json() == {"answer": 42}
    assert len(writes) == 2  # uvicorn's own: the head, then the body
    writes.clear()

    with httpx.Client(base_url=one_write_server) as client:
        for _ in range(3):  # kept alive: each answer is its own single write
            answer = client.get("/full")
            assert answer.status_code == 200 and answer.json() == {"answer": 42}
            assert answer.headers["content-length"] == "14"
    assert len(writes) == 3
    assert all(write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b'{"answer": 42}') for write in writes)


def test_head_empty_and_streamed_answers_are_intact(one_write_server: str, writes: list[bytes]) -> None:
    with httpx.Client(base_url=one_write_server) as client:
        head = client.head("/full")
        assert head.status_code == 200 and head.headers["content-length"] == "14" and head.content == b""
        assert client.get("/empty").status_code == 204
        streamed = client.get("/stream")
        assert streamed.text == "one,two" and streamed.headers["transfer-encoding"] == "chunked"
        assert client.get("/full").json() == {"answer": 42}  # the connection is still in step
    assert len(writes) == 2 + 4 + 1  # HEAD and 204 one write each; a stream's head goes at once


def test_a_failure_after_the_head_still_sends_the_head_and_closes(one_write_server: str) -> None:
    with httpx.Client(base_url=one_write_server) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/fails-after-start")
        assert client.get("/full").json() == {"answer": 42}  # a new connection
