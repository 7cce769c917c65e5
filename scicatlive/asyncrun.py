"""Run a coroutine to completion from synchronous code, wherever that code runs.

``asyncio.run`` refuses to start when the calling thread already runs an event
loop: a Jupyter notebook, an async application, or a test session driving
Playwright's sync API. Then the coroutine runs in a worker thread of its own.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
MAKER_SWITCH_INTERVAL = 0.001


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


async def made_in_thread(items: Iterable[T], make: Callable[[T], Any], ahead: int) -> AsyncGenerator[Any, None]:
    """``make(item)`` for each item, in order, computed by a worker thread at most ``ahead`` in advance.

    For CPU-bound production (generating and mapping a proposal) beside I/O: done in the event
    loop, it stops every request in flight until it is over. The thread stops at the next item
    once the consumer stops iterating; its error is raised here.
    """
    loop = asyncio.get_running_loop()
    made: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    room = threading.Semaphore(ahead)
    stop = threading.Event()

    def hand_over(kind: str, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(made.put_nowait, (kind, value))
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            stop.set()

    def produce() -> None:
        try:
            for item in items:
                while not room.acquire(timeout=0.1):
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                hand_over("item", make(item))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, raised there
            hand_over("error", error)
        else:
            hand_over("end", None)

    # While the maker holds the GIL, the loop waits for it up to the switch interval (5 ms by
    # default) on every wake-up: longer than a request takes. 1 ms while both run.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(switch_interval, MAKER_SWITCH_INTERVAL))
    threading.Thread(target=produce, name="scicatlive-make", daemon=True).start()
    try:
        while True:
            kind, value = await made.get()
            if kind == "error":
                raise value
            if kind == "end":
                return
            room.release()
            yield value
    finally:
        stop.set()
        sys.setswitchinterval(switch_interval)
