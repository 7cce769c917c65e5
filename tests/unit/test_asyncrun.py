"""Library calls that are async inside work from code that already runs an event loop; CPU-bound
production is made beside the loop."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing

import pytest

from scicatlive.asyncrun import made_in_thread, run_sync


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_without_a_running_loop() -> None:
    assert run_sync(_answer()) == 42


def test_inside_a_running_loop_like_a_notebook() -> None:
    async def notebook_cell() -> int:
        asyncio.get_running_loop()  # the cell runs inside a loop, as in Jupyter
        return run_sync(_answer())

    # A thread of its own, so the outer loop is ours whatever the test session runs.
    with ThreadPoolExecutor(max_workers=1) as notebook:
        assert notebook.submit(asyncio.run, notebook_cell()).result() == 42


def _thread_alive(name: str) -> bool:
    return any(thread.name == name and thread.is_alive() for thread in threading.enumerate())


def test_made_in_thread_keeps_order_and_the_loop_free() -> None:
    def make(item: int) -> int:
        time.sleep(0.05)  # busy, away from the event loop
        return item * 10

    async def consume() -> tuple[list[int], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        made = [value async for value in made_in_thread(range(6), make, ahead=2)]
        ticking.cancel()
        return made, ticks

    made, ticks = asyncio.run(consume())
    assert made == [0, 10, 20, 30, 40, 50]
    assert ticks >= 10  # made in the loop, the 0.3 s of making would leave no room to tick


def test_made_in_thread_makes_at_most_ahead_in_advance_and_stops_with_its_consumer() -> None:
    started: list[int] = []

    def make(item: int) -> int:
        started.append(item)
        return item

    async def consume() -> list[int]:
        taken = []
        async with aclosing(made_in_thread(itertools.count(), make, ahead=3)) as made:
            async for value in made:
                await asyncio.sleep(0.05)  # a slow consumer
                taken.append(value)
                if len(taken) == 2:
                    break
        return taken

    assert asyncio.run(consume()) == [0, 1]
    time.sleep(0.3)
    assert len(started) <= 2 + 3 + 1  # taken, waiting in the queue, and the one being made
    assert not _thread_alive("scicatlive-make")


def test_made_in_thread_raises_the_makers_error_after_what_was_made() -> None:
    def make(item: int) -> int:
        if item == 2:
            raise ValueError("proposal 2 cannot be generated")
        return item

    async def consume(taken: list[int]) -> None:
        async for value in made_in_thread(range(5), make, ahead=2):
            taken.append(value)

    taken: list[int] = []
    with pytest.raises(ValueError, match="proposal 2 cannot be generated"):
        asyncio.run(consume(taken))
    assert taken == [0, 1]
