"""A reporter (scicatlive.progress.Reporter) that keeps the steps it is told, for assertions."""

from __future__ import annotations


class RecordingReporter:
    def __init__(self) -> None:
        self.steps: list[str] = []

    def step(self, message: str) -> None:
        self.steps.append(message)

    def service(self, name: str, state: str) -> None:
        pass

    def progress(self, task: str, done: int, total: int) -> None:
        pass
