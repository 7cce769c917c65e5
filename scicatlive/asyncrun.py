"""Run a coroutine to completion from synchronous code, wherever that code runs.

``asyncio.run`` refuses to start when the calling thread already runs an event
loop: a Jupyter notebook, an async application, or a test session driving
Playwright's sync API. Then the coroutine runs in a worker thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Iterable
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


async def gather(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Await concurrently, results in order; the first failure cancels the rest and is raised alone.

    ``asyncio.TaskGroup`` raises an ExceptionGroup; callers want the one error a user can read.
    """
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(awaitable)) for awaitable in awaitables]
    except BaseExceptionGroup as failures:
        raise first_error(failures) from None
    return [task.result() for task in tasks]


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error = group.exceptions[0]
    return first_error(error) if isinstance(error, BaseExceptionGroup) else error
