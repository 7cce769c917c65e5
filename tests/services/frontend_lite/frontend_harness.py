"""Servers in threads for the frontend tests: scicat-lite and frontend-lite on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# The backend the frontend talks to is scicat-lite, with its own test harness.
from tests.services.scicat_lite.lite_harness import LiteServer as Backend
from tests.support import free_port

__all__ = ["Backend", "free_port", "serve"]


@contextmanager
def serve(app: Any, port: int, name: str) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a daemon thread until the block ends."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True, name=name)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
