"""Run a coroutine to completion from synchronous code, wherever that code runs.

``asyncio.run`` refuses to start when the calling thread already runs an event
loop: a Jupyter notebook, an async application, or a test session driving
Playwright's sync API. Then the coroutine runs in a worker thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scicatlive-async") as worker:
        return worker.submit(asyncio.run, coroutine).result()
