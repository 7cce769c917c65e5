"""ASGI middleware: case-insensitive routes, encoded slashes in ids, and the body limit."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import payload_too_large


def _escape(segment: str) -> str:
    """Decode a raw path segment but keep ``/`` (and ``%``) escaped so it stays one segment."""
    return unquote(segment).replace("%", "%25").replace("/", "%2F")


class RouteCase:
    """Maps a request path onto the spelling of a registered route, ignoring case."""

    def __init__(self, templates: Iterable[str]) -> None:
        self._templates: dict[int, list[list[str]]] = {}
        for template in templates:
            segments = template.split("/")
            self._templates.setdefault(len(segments), []).append(segments)

    def canonical(self, segments: list[str]) -> list[str]:
        best: list[str] | None = None
        best_score = -1
        for template in self._templates.get(len(segments), []):
            score = 0
            for want, got in zip(template, segments, strict=True):
                if want.startswith("{"):
                    continue
                if want.lower() != got.lower():
                    break
                score += 1
            else:
                if score > best_score:
                    best, best_score = template, score
        if best is None:
            return segments
        return [
            got if want.startswith("{") else want for want, got in zip(best, segments, strict=True)
        ]


class PathMiddleware:
    """Rewrites ``scope["path"]`` so that routing is case-insensitive and ``%2F`` stays in a segment."""

    def __init__(self, app: ASGIApp, templates: Iterable[str]) -> None:
        self.app = app
        case = RouteCase(templates)

        @functools.lru_cache(maxsize=4096)
        def rewrite(raw: bytes) -> str:
            segments = [_escape(s) for s in raw.decode("latin-1").split("?")[0].split("/")]
            return "/".join(case.canonical(segments))

        self._rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["path"] = self._rewrite(scope.get("raw_path") or scope["path"].encode())
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Answers 413 when a request body exceeds ``limit`` bytes (declared or streamed).

    The body is read before the app runs, so an over-large upload is refused without
    reaching a handler; bodies within the limit are replayed to the app unchanged.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Send) -> None:
        error = payload_too_large()
        body = json.dumps(error.body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": error.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
