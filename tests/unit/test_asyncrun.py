"""Library calls that are async inside work from code that already runs an event loop."""

from __future__ import annotations

import asyncio

from scicatlive.asyncrun import run_sync


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_without_a_running_loop() -> None:
    assert run_sync(_answer()) == 42


def test_inside_a_running_loop_like_a_notebook() -> None:
    async def notebook_cell() -> int:
        return run_sync(_answer())

    assert asyncio.run(notebook_cell()) == 42
