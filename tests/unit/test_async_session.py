"""AsyncSession over real sockets: bounded concurrency, one kept-alive connection per lane."""

from __future__ import annotations

import asyncio
from typing import Any

from scicatlive.clients.http import AsyncSession, Call, json_body
from tests.support import serve_app


class _Recorder:
    """An ASGI app that answers after a short pause and records what it saw."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0
        self.peers: set[tuple[str, int]] = set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.peers.add(tuple(scope["client"]))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.005)
        self.in_flight -= 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok": true}'})


def _ping() -> Call[Any]:
    return Call("ping", "GET", "/ping", read=json_body)


def test_requests_in_flight_never_exceed_the_concurrency_and_reuse_their_connections() -> None:
    app = _Recorder()

    async def load(url: str) -> list[Any]:
        async with AsyncSession(url, concurrency=4) as session:
            return await asyncio.gather(*(session.run(_ping()) for _ in range(120)))

    with serve_app(app) as url:
        answers = asyncio.run(load(url))
    assert answers == [{"ok": True}] * 120
    assert app.most_in_flight == 4
    assert len(app.peers) == 4  # keep-alive: a connection per lane, not one per request
