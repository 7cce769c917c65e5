"""What every command shares: consoles, output helpers and common options.

Only Typer, rich and light modules are imported here: ``scicatlive --help`` loads
every command module, and each command imports its heavy work when it runs.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, Self

import typer

from scicatlive.defaults import ENV_BACKEND, ENV_CREDENTIALS, ENV_ISPYB, ENV_PASSWORD
from scicatlive.errors import ScicatliveError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from scicatlive.clients.target import Target
    from scicatlive.handle import Stack


class _LazyConsole:
    """A rich Console made on first use: importing rich costs more than `--help` may take."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def _real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    # Dunder methods bypass __getattr__; rich's Live and Progress enter their console.
    def __enter__(self) -> Console:
        return self._real().__enter__()

    def __exit__(self, *exc: object) -> None:
        self._real().__exit__(*exc)


console: Console = _LazyConsole(stderr=False)  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def _stack_name(context: typer.Context, value: str | None) -> str | None:
    """Refuse a bad stack name where it comes in, before anything is written."""
    from scicatlive.names import check_stack_name

    if value is None:
        return None
    source = context.get_parameter_source("stack")
    from_env = source is not None and source.name == "ENVIRONMENT"
    return check_stack_name(value, "SCICATLIVE_STACK" if from_env else "--stack")


def _port_offset(value: str | None) -> str | None:
    if value is None or value == "auto":
        return value
    if not value.isdigit() or not 0 <= int(value) <= 60000:
        raise typer.BadParameter(f"{value!r} is neither 'auto' nor a number from 0 to 60000")
    return value


ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", "-p", envvar="SCICATLIVE_PROFILE", help="Profile name or path to a profile YAML file [default: lite]."),
]
StackOption = Annotated[
    str | None,
    typer.Option("--stack", "-s", envvar="SCICATLIVE_STACK", callback=_stack_name,
                 help="Stack name: its own compose project, state and ports."),
]
PortOffsetOption = Annotated[
    str | None,
    typer.Option("--port-offset", envvar="SCICATLIVE_PORT_OFFSET", callback=_port_offset, metavar="N|auto",
                 help="Add N to every host port, to run stacks side by side; `auto` picks a free block."),
]  # fmt: skip
OfflineOption = Annotated[
    bool,
    typer.Option("--offline", envvar="SCICATLIVE_OFFLINE", help="Never pull: build every image here; fail for services with no local build."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
BackendUrlOption = Annotated[
    str | None, typer.Option("--backend-url", envvar=ENV_BACKEND, metavar="URL", help="Work on this SciCat backend instead of a local stack.")
]
IspybUrlOption = Annotated[
    str | None, typer.Option("--ispyb-url", envvar=ENV_ISPYB, metavar="URL", help="With --backend-url: its ISPyB.")
]
PasswordOption = Annotated[
    str | None, typer.Option("--password", envvar=ENV_PASSWORD, help="With --backend-url: the account's password.")
]
CredentialsOption = Annotated[
    str | None,
    typer.Option("--credentials", envvar=ENV_CREDENTIALS, metavar="FILE",
                 help="With --backend-url: accounts as JSON/YAML ({accounts: [{username, password, groups}]})."),
]  # fmt: skip


def port_offset(value: str | None) -> int | Literal["auto"] | None:
    """The parsed --port-offset: None keeps the profile's ports."""
    if value is None or value == "auto":
        return value  # type: ignore[return-value]
    return int(value)


def local_stack(
    profile: str | None, stack: str | None, port_offset_text: str | None, offline: bool, *, dev: list[str] | None = None
) -> Stack:
    """A stack from a profile, with the CLI's fixed, documented ports unless `--port-offset`."""
    from scicatlive.handle import Stack

    return Stack(profile, name=stack, port_offset=port_offset(port_offset_text), offline=offline, dev=dev)


def existing_stack(profile: str | None, stack: str | None) -> Stack:
    """The stack set up here that the command means (see ``default_stack_name``)."""
    from scicatlive.handle import Stack
    from scicatlive.stack.record import known_stacks

    if stack:
        return Stack.existing(stack)
    if profile is None and len(known_stacks()) == 1:
        return Stack.existing(known_stacks()[0])
    from scicatlive.stack.load import default_stack_name

    return Stack.existing(default_stack_name(profile, None))


def remote_stack(target: Target) -> Stack:
    from scicatlive.handle import Stack

    return Stack.from_target(target)


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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def progress(self, task: str, done: int, total: int) -> None:
        if self._bars is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bars = Progress(
                TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=err_console, transient=False,
            )  # fmt: skip
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
