"""Library calls that are async inside work from code that already runs an event loop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from scicatlive.asyncrun import run_sync


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
