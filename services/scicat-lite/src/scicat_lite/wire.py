"""uvicorn's HTTP protocol, with a response's head and body leaving in one write.

uvicorn writes the status line and headers as soon as the application starts its answer,
then the body in a second write. Each write is a TCP segment that the kernel carries, in
this process's time, through the container's bridge to Docker's port proxy. Under py-spy
during a seed, those writes were a quarter of the backend's CPU. Here the head waits for
the first part of the body (which a complete response sends at once) and both go out in
one ``writelines``. A streamed answer without ``content-length`` keeps uvicorn's own
timing: its head is written at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _HeldHead:
    """Stands in for the transport between a response's start and its first body part."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def release(self) -> asyncio.Transport:
        if self.parts and not self.transport.is_closing():
            self.transport.writelines(self.parts)
            self.parts = []
        return self.transport

    def close(self) -> None:
        self.release().close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def _has_length(message: Any) -> bool:
    return any(name.lower() == b"content-length" for name, _ in message.get("headers", ()))


class OneWriteCycle(RequestResponseCycle):
    async def send(self, message: Any) -> None:
        starting = message["type"] == "http.response.start"
        if starting and not self.response_started and _has_length(message):
            self.transport = _HeldHead(self.transport)  # type: ignore[assignment]
        try:
            await super().send(message)
        finally:
            if not starting and isinstance(self.transport, _HeldHead):
                self.transport = self.transport.release()


class OneWriteProtocol(HttpToolsProtocol):
    """Pass as uvicorn's ``http``: every request's cycle answers in one write."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        # The cycle is built inside uvicorn's method; its coroutine has not run yet.
        self.cycle.__class__ = OneWriteCycle
