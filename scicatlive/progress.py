"""How long-running work (images, stacks, seeding) tells its caller what it is doing."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def step(self, message: str) -> None: ...

    def service(self, name: str, state: str) -> None: ...

    def progress(self, task: str, done: int, total: int) -> None: ...


class SilentReporter:
    """For library callers that want no output."""

    def step(self, message: str) -> None:
        pass

    def service(self, name: str, state: str) -> None:
        pass

    def progress(self, task: str, done: int, total: int) -> None:
        pass
