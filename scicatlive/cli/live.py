"""The live path on the command line: ``sync --follow`` and ``simulate`` (thin callers of the library)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scicatlive.cli.context import (
    JsonOption,
    ProfileOption,
    StackOption,
    console,
    err_console,
    existing_stack,
    print_json,
)
from scicatlive.defaults import ENV_ISPYB, ENV_PASSWORD
from scicatlive.errors import ConfigError

if TYPE_CHECKING:
    from scicatlive.handle import Stack
    from scicatlive.sync.follow import FollowReport


class _ConsoleLog(logging.Handler):
    """The follower's log lines on stderr, with the wall-clock time."""

    def emit(self, record: logging.LogRecord) -> None:
        colour = {logging.WARNING: "yellow", logging.ERROR: "red"}.get(record.levelno)
        text = record.getMessage()
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        err_console.print(f"[dim]{stamp}[/] " + (f"[{colour}]{text}[/]" if colour else text), highlight=False)


@contextmanager
def stopping_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM, so that long work ends cleanly at its next step."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def follow(
    handle: Stack, *, account: str, sample_layout: str | None, poll: float, restart: bool, until_idle: bool,
    state_file: Path | None, site: str | None, json_output: bool,
) -> None:  # fmt: skip
    """``sync --follow``: run the follower in the foreground until Ctrl-C (or caught up)."""
    from scicatlive.sync import FacilityFacts
    from scicatlive.sync.follow import FollowOptions

    options = FollowOptions(account=account, poll_seconds=poll, restart=restart, until_idle=until_idle,
                            sample_layout=sample_layout or "hierarchical")  # type: ignore[arg-type]  # fmt: skip
    logger = logging.getLogger("scicatlive.sync.follow")
    handler = _ConsoleLog()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    extra: dict[str, Any] = {"facility": FacilityFacts(site=site)} if site else {}
    try:
        with stopping_on_signals() as stop:
            report = handle.follow(options, state_file=state_file, stop=stop, **extra)
    finally:
        logger.removeHandler(handler)
    _show_follow(report, json_output)


def _show_follow(report: FollowReport, json_output: bool) -> None:
    state = report.state
    if json_output:
        print_json({**state.summary(), "seconds": round(report.seconds, 1), "pages": report.pages,
                    "created": dict(report.applied.created), "updated": dict(report.applied.updated),
                    "skipped": report.failed})  # fmt: skip
        return
    created = ", ".join(f"{n} {k}" for k, n in report.applied.created.items() if n) or "nothing"
    console.print(f"followed for {report.seconds:.0f} s: created {created}; {state.describe()}", highlight=False)


def check_follow_options(follow: bool, given: dict[str, bool]) -> None:
    """``--poll`` & co. only mean something with ``--follow``."""
    if not follow:
        for option, present in given.items():
            if present:
                raise ConfigError(option, "only goes with --follow")


def simulate_command(
    beamline: Annotated[str, typer.Option("--beamline", "-b", help="The beamline, as ISPyB's sessions name it (e.g. BioMAX).")],
    rate: Annotated[str, typer.Option("--rate", help="Collections per minute or hour: 2/min, 30/h, 1/s.")] = "2/min",
    duration: Annotated[str, typer.Option("--duration", help="How long the day lasts: 30m, 1h30m, 90s.")] = "30m",
    stack: StackOption = None,
    profile: ProfileOption = None,
    ispyb_url: Annotated[str | None, typer.Option("--ispyb-url", envvar=ENV_ISPYB, metavar="URL",
                                                  help="Play on this ISPyB instead of a local stack's.")] = None,
    account: Annotated[str, typer.Option("--account", help="Who MXCuBE logs in as (acquisition and processing writes).")] = "ingestor",
    password: Annotated[str | None, typer.Option("--password", envvar=ENV_PASSWORD,
                                                 help="With --ispyb-url: the account's password.")] = None,
    proposal: Annotated[str | None, typer.Option("--proposal", help="The proposal at the beamline [default: one with pucks in its changer].")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed of the day's values [default: a new day].")] = None,
    mxcube_python: Annotated[Path | None, typer.Option("--mxcube-python", metavar="PYTHON",
                                                       help="python of mxcubecore's virtualenv [default: $SCICATLIVE_MXCUBE_PYTHON or .venv-mxcube].")] = None,
    json_output: JsonOption = False,
) -> None:
    """Play a beamline's day through mxcubecore's own py-ISPyB adapter: log in, take samples
    from the pucks in the changer, collect, auto-process, store robot actions and energy scans.

    With the stack's follow feature (or `scicatlive sync --follow`), new datasets appear in
    SciCat as the day goes on.
    """
    from scicatlive.simulate import SimulationOptions, parse_duration, parse_rate, simulate

    options = SimulationOptions(
        beamline=beamline, rate_per_minute=parse_rate(rate), duration_seconds=parse_duration(duration),
        proposal=proposal, account=account, seed=seed, mxcube_python=mxcube_python,
    )  # fmt: skip
    if ispyb_url is not None and (stack or profile):
        raise ConfigError("--ispyb-url", "plays on the ISPyB it names; leave out --stack and --profile")

    def say(message: str) -> None:
        err_console.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {message}", highlight=False)

    with stopping_on_signals() as stop:
        if ispyb_url is not None:
            if not password:
                raise ConfigError("--password", f"playing on --ispyb-url needs {account}'s password (or SCICATLIVE_PASSWORD)")
            report = simulate(ispyb_url, password, options, stop=stop, on_event=say)
        else:
            report = existing_stack(profile, stack).simulate(options, stop=stop, on_event=say)
    if json_output:
        print_json(report.as_dict())
        return
    summary = report.as_dict()
    early = f" (stopped after {summary['collections']} of {summary['planned']})" if stop.is_set() else ""
    console.print(
        f"{summary['beamline']} day on {summary['proposal']} (session {summary['session_id']}){early}: "
        f"{summary['collections']} collections ({summary['failed_collections']} failed), "
        f"{summary['processings']} processing runs, {summary['robot_actions']} robot actions, "
        f"{summary['energy_scans']} energy scans in {summary['seconds']} s ({summary['rate_per_minute']}/min)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
