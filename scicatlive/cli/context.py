"""What every command shares: consoles, output helpers and common options."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from scicatlive.errors import ScicatliveError

console = Console()
err_console = Console(stderr=True)

ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", envvar="SCICATLIVE_PROFILE", help="Profile name or path to a profile YAML file [default: lite]."),
]
StackOption = Annotated[
    str | None,
    typer.Option("--stack", "-s", envvar="SCICATLIVE_STACK", help="Stack name: its own compose project, state and ports."),
]
PortOffsetOption = Annotated[
    int | None,
    typer.Option("--port-offset", envvar="SCICATLIVE_PORT_OFFSET", min=0, max=60000, help="Add N to every host port, to run stacks side by side."),
]
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", envvar="SCICATLIVE_OFFLINE", help="Never pull: build every image here; fail for services with no local build."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def abort(error: ScicatliveError) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {error.message}", highlight=False, soft_wrap=True)
    if error.hint:
        err_console.print(f"[dim]hint:[/] {error.hint}", highlight=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


class ConsoleReporter:
    """Progress of long work on the terminal: one line per step and state change,
    and a bar per entity type while seeding. Use it as a context manager."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ConsoleReporter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def progress(self, task: str, done: int, total: int) -> None:
        if self._bars is None:
            self._bars = Progress(
                TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=err_console, transient=False,
            )
            self._bars.start()
        if task not in self._tasks:
            self._tasks[task] = self._bars.add_task(task, total=total)
        self._bars.update(self._tasks[task], completed=done, total=total)

    def _elapsed(self) -> str:
        return f"[dim]{time.monotonic() - self._started:6.1f}s[/]"

    def step(self, message: str) -> None:
        err_console.print(f"{self._elapsed()} {message}", highlight=False)

    def service(self, name: str, state: str) -> None:
        colour = {"healthy": "green", "running": "green", "unhealthy": "red", "exited": "red", "dead": "red"}.get(state, "yellow")
        err_console.print(f"{self._elapsed()}   {name:<14} [{colour}]{state}[/]", highlight=False)
