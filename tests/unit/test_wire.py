"""The lanes' HTTP/1.1 transport against a raw socket server that frames answers as told."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from scicatlive.clients.http import AsyncSession, Call, json_body
from scicatlive.clients.wire import KeepAliveTransport, speaks_directly

Answer = Callable[[bytes, bytes], bytes | None]  # (request head, body) -> raw answer, None: hang up


class _Server:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0
        self.close_after_each = False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                raw = self.answer(head, body)
                if raw is None:
                    return
                writer.write(raw)
                await writer.drain()
                if self.close_after_each:
                    return
        finally:
            writer.close()


@asynccontextmanager
async def _serving(answer: Answer) -> AsyncIterator[tuple[_Server, str]]:
    server = _Server(answer)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        listener.close()


def _json(body: bytes, *extra: bytes) -> bytes:
    head = [b"HTTP/1.1 201 Created", b"Content-Type: application/json", b"Content-Length: %d" % len(body), *extra]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


Exchange = Callable[[httpx.AsyncClient], Awaitable[None]]


def _exchange(answer: Answer, exchange: Exchange, *, close_after_each: bool = False) -> _Server:
    """Serve ``answer``, run ``exchange`` with a client on one KeepAliveTransport; the server, for its records."""

    async def scenario() -> _Server:
        async with _serving(answer) as (server, url):
            server.close_after_each = close_after_each
            async with httpx.AsyncClient(base_url=url, transport=KeepAliveTransport()) as client:
                await exchange(client)
            return server

    return asyncio.run(scenario())


def test_a_request_is_one_write_with_its_body_and_the_connection_is_kept() -> None:
    async def exchange(client: httpx.AsyncClient) -> None:
        first = await client.post("/api/v3/datasets?x=1", json={"pid": "a/1", "size": 3})
        second = await client.post("/api/v3/datasets", json={"pid": "a/2"})
        assert (first.status_code, first.json()) == (201, {"pid": "a/1", "size": 3})
        assert second.json() == {"pid": "a/2"}

    server = _exchange(lambda head, body: _json(body), exchange)
    head, body = server.requests[0]
    assert head.startswith(b"POST /api/v3/datasets?x=1 HTTP/1.1\r\n")
    assert b"\r\nhost: 127.0.0.1:" in head.lower()
    assert body == b'{"pid":"a/1","size":3}'
    assert server.connections == 1


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n", b"hello world"),
        (b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", b""),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok"),
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(gzip.compress(b"zipped")) + gzip.compress(b"zipped"), b"zipped"),
    ],
    ids=["chunked with trailers", "no content", "interim 100", "gzip"],
)
def test_framings_of_an_answer(answer: bytes, expected: bytes) -> None:
    async def exchange(client: httpx.AsyncClient) -> None:
        for _ in range(2):  # the connection stays usable after each framing
            assert (await client.get("/x")).content == expected

    assert _exchange(lambda head, body: answer, exchange).connections == 1


def test_an_answer_delimited_by_the_end_of_the_connection_then_a_new_connection() -> None:
    async def exchange(client: httpx.AsyncClient) -> None:
        assert (await client.get("/a")).text == "until the end"
        assert (await client.get("/b")).text == "until the end"

    server = _exchange(lambda head, body: b"HTTP/1.0 200 OK\r\n\r\nuntil the end", exchange, close_after_each=True)
    assert server.connections == 2


def test_a_connection_the_server_closed_after_an_answer_is_not_reused() -> None:
    async def exchange(client: httpx.AsyncClient) -> None:
        for _ in range(3):
            assert (await client.post("/x", json={})).status_code == 201

    server = _exchange(lambda head, body: _json(b"{}"), exchange, close_after_each=True)
    assert (len(server.requests), server.connections) == (3, 3)


def test_a_reused_connection_closed_before_the_answer_is_replaced_and_the_request_sent_again() -> None:
    seen = iter(range(100))
    # Answer the first request, hang up on the second (as a server whose idle timeout fires
    # just as a request arrives), answer everything after on the new connection.
    answers = lambda head, body: None if next(seen) == 1 else _json(b"{}")

    async def exchange(client: httpx.AsyncClient) -> None:
        assert (await client.get("/first")).status_code == 201
        assert (await client.get("/second")).status_code == 201

    server = _exchange(answers, exchange)
    assert [head.split(b" ")[1] for head, _ in server.requests] == [b"/first", b"/second", b"/second"]
    assert server.connections == 2


def test_a_request_cancelled_mid_answer_leaves_no_stale_answer_for_the_next() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            path = head.split(b" ")[1]
            if path == b"/slow":
                await asyncio.sleep(0.3)  # answers after the caller gave up
            writer.write(_json(b'{"path": "%s"}' % path))
            await writer.drain()

    async def scenario() -> None:
        listener = await asyncio.start_server(slow, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", transport=KeepAliveTransport()) as client:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await client.get("/slow")
            await asyncio.sleep(0.4)  # the slow answer has arrived by now
            assert (await client.get("/fast")).json() == {"path": "/fast"}
        listener.close()

    asyncio.run(scenario())


def test_a_server_that_hangs_up_on_a_new_connection_is_a_protocol_error() -> None:
    async def exchange(client: httpx.AsyncClient) -> None:
        with pytest.raises(httpx.RemoteProtocolError, match="without answering"):
            await client.get("/x")

    assert len(_exchange(lambda head, body: None, exchange).requests) == 1  # not sent again


def test_a_truncated_answer_is_a_protocol_error() -> None:
    async def exchange(client: httpx.AsyncClient) -> None:
        with pytest.raises(httpx.RemoteProtocolError, match="broken answer"):
            await client.get("/x")

    _exchange(lambda head, body: b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", exchange, close_after_each=True)


def test_a_silent_server_is_a_read_timeout_and_a_closed_port_a_connect_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def scenario() -> None:
        listener = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        async with httpx.AsyncClient(transport=KeepAliveTransport(), timeout=httpx.Timeout(0.2)) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.get(f"http://127.0.0.1:{port}/x")
        listener.close()
        await listener.wait_closed()
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{port}/x")

    asyncio.run(scenario())


def test_sessions_speak_directly_on_plain_http_unless_a_proxy_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert speaks_directly("http://127.0.0.1:3000")
    assert not speaks_directly("https://scicat.example.org")
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example.org:3128")
    assert not speaks_directly("http://scicat.example.org")
    monkeypatch.setenv("NO_PROXY", "scicat.example.org")
    assert speaks_directly("http://scicat.example.org")


def test_a_session_sends_what_an_httpx_client_sends_for_the_same_call() -> None:
    params: dict[str, str | list[str]] = {"filter": '{"where": {"proposalId": "MX 1/2"}}', "fields": ["pid", "size"]}
    body = {"pid": "PID.PREFIX/ä b", "n": 1.5}

    async def scenario() -> tuple[list[tuple[bytes, bytes]], str]:
        async with _serving(lambda head, body: _json(b'{"ok": true}')) as (server, url):
            call = Call("find", "POST", "/api/v3/datasets/PID.PREFIX%2Fx", read=json_body, json=body, params=params)
            async with AsyncSession(url, concurrency=1, token="t0k") as session:
                assert await session.run(call) == {"ok": True}
            return server.requests, url

    requests, url = asyncio.run(scenario())
    reference = httpx.Client(base_url=url).build_request(
        "POST", "/api/v3/datasets/PID.PREFIX%2Fx", params=params, json=body, headers={"Authorization": "Bearer t0k"}
    )
    head, sent = requests[0]
    assert head.split(b"\r\n")[0] == b"POST " + reference.url.raw_path + b" HTTP/1.1"
    assert sent == reference.content
    sent_headers = {line.split(b": ", 1)[0].lower(): line.split(b": ", 1)[1] for line in head.split(b"\r\n")[1:] if line}
    for name in (b"host", b"content-type", b"content-length", b"authorization"):
        assert sent_headers[name] == reference.headers[name.decode()].encode()


def test_a_session_retries_through_it_when_the_service_answers_503_then_201() -> None:
    statuses = iter([b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", _json(b'{"pid": "p"}')])

    async def scenario() -> None:
        async with _serving(lambda head, body: next(statuses)) as (server, url):
            async with AsyncSession(url, concurrency=2) as session:
                answer = await session.run(Call("create dataset p", "POST", "/datasets", read=json_body, json={}))
            assert answer == {"pid": "p"}
            assert len(server.requests) == 2

    asyncio.run(scenario())


@pytest.mark.parametrize(("base", "path", "params", "body"), [
    ("", "/api/v3/datasets/PID.PREFIX%2Fx", None, None),
    ("/ispyb", "/api/v1/proposals", {"search": "MX 1&2", "fields": ["a", "b c"]}, None),
    ("", "api/v3/datasets/a b", None, {"x": 1}),  # escaped by httpx: the lane lets it build the request
    ("", "/api/v3/samples", None, {1: "a key that is not a string", "big": 2**70}),  # beyond orjson
    ("", "/api/v3/datasets/ü", {"filter": '{"text": "ä"}'}, {"s": "ä", "f": 1e-7, "l": [None, True]}),
])  # fmt: skip
def test_a_lane_writes_each_request_as_httpx_builds_it(base: str, path: str, params: Any, body: Any) -> None:
    async def scenario() -> tuple[list[tuple[bytes, bytes]], str]:
        async with _serving(lambda head, body: _json(b"{}")) as (server, url):
            async with AsyncSession(url + base, concurrency=1, token="t0k") as session:
                await session.run(Call("call", "POST" if body is not None else "GET", path, read=json_body,
                                       json=body, params=params))  # fmt: skip
            return server.requests, url

    requests, url = asyncio.run(scenario())
    method = "POST" if body is not None else "GET"
    reference = httpx.Request(method, url + base + ("" if path.startswith("/") else "/") + path, params=params,
                              json=body, headers={"Authorization": "Bearer t0k"})  # fmt: skip
    head, sent = requests[0]
    assert head.split(b"\r\n")[0] == f"{method} ".encode() + reference.url.raw_path + b" HTTP/1.1"
    assert json.loads(sent or b"null") == json.loads(reference.content or b"null")
    sent_headers = {line.split(b": ", 1)[0].lower(): line.split(b": ", 1)[1] for line in head.split(b"\r\n")[1:] if line}
    assert sent_headers[b"host"] == reference.headers["host"].encode()
    assert sent_headers.get(b"content-length") == (str(len(sent)).encode() if body is not None else None)
