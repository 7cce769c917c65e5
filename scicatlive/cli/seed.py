"""`scicatlive seed` and `scicatlive sync`: on a stack started here, or on any backend by URL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer

from scicatlive.cli.context import (
    BackendUrlOption,
    ConsoleReporter,
    IspybUrlOption,
    JsonOption,
    PasswordOption,
    ProfileOption,
    StackOption,
    console,
    existing_stack,
    print_json,
    remote_stack,
)
from scicatlive.defaults import DEFAULT_ACCOUNT, DEFAULT_PID_PREFIX, DEFAULT_RETRY_SECONDS
from scicatlive.errors import ConfigError

if TYPE_CHECKING:
    from scicatlive.handle import Stack
    from scicatlive.seeding.run import SeedReport

Layout = Literal["hierarchical", "flat"]
RecipeArgument = Annotated[str, typer.Argument(help="A bundled recipe (tiny, demo, training, large) or a YAML file.")]
LayoutOption = Annotated[
    str | None,
    typer.Option("--sample-layout", help="hierarchical (shipment → dewar → puck → crystal) or flat [default: the recipe's]."),
]
AccountOption = Annotated[
    str, typer.Option("--account", envvar="SCICATLIVE_ACCOUNT", help="The functional account that writes the data.")
]
PidPrefixOption = Annotated[
    str, typer.Option("--pid-prefix", help="With --backend-url: the backend's PID_PREFIX.")
]
ConcurrencyOption = Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Requests in flight at once.")]
RetrySecondsOption = Annotated[
    float,
    typer.Option("--retry-seconds", min=0.0, envvar="SCICATLIVE_RETRY_SECONDS",
                 help="How long to retry a service that does not answer (or answers 502/503/504) before giving up."),
]  # fmt: skip


def seed_command(
    recipe: RecipeArgument = "tiny",
    stack: StackOption = None,
    profile: ProfileOption = None,
    account: AccountOption = DEFAULT_ACCOUNT,
    sample_layout: LayoutOption = None,
    backend_url: BackendUrlOption = None,
    ispyb_url: Annotated[str | None, typer.Option("--ispyb-url", envvar="SCICATLIVE_ISPYB_URL", help="With --backend-url: the ISPyB mock to load first.")] = None,
    password: PasswordOption = None,
    pid_prefix: PidPrefixOption = DEFAULT_PID_PREFIX,
    concurrency: ConcurrencyOption = 16,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Seed through the APIs even when the seed cache has this recipe.")] = False,
    retry_seconds: RetrySecondsOption = DEFAULT_RETRY_SECONDS,
    json_output: JsonOption = False,
) -> None:
    """Fill a stack with a realistic MX facility: into ISPyB and, mapped, into SciCat.

    Safe to repeat: the same recipe gives the same ids, so nothing is duplicated. On an empty
    stack of its own, the same recipe seeded before is restored from the seed cache.
    """
    from scicatlive.clients.http import RetryPolicy

    layout = parse_layout(sample_layout)
    handle = _stack(stack, profile, backend_url, ispyb_url, account, password, pid_prefix, None)
    with ConsoleReporter() as reporter:
        handle.reporter = reporter
        report = handle.seed(recipe, account=account, sample_layout=layout, concurrency=concurrency,
                             cache=not no_cache, retry=RetryPolicy(deadline=retry_seconds))  # fmt: skip
    show_report(report, json_output)


def sync_command(
    stack: StackOption = None,
    profile: ProfileOption = None,
    account: AccountOption = DEFAULT_ACCOUNT,
    sample_layout: LayoutOption = None,
    backend_url: Annotated[str | None, typer.Option("--backend-url", envvar="SCICATLIVE_BACKEND_URL", help="Sync into this SciCat backend instead of a local stack's.")] = None,
    ispyb_url: IspybUrlOption = None,
    password: PasswordOption = None,
    pid_prefix: PidPrefixOption = DEFAULT_PID_PREFIX,
    site: Annotated[str | None, typer.Option("--site", help="The facility site the data was seeded with [default: the profile's].")] = None,
    concurrency: ConcurrencyOption = 16,
    retry_seconds: RetrySecondsOption = DEFAULT_RETRY_SECONDS,
    follow: Annotated[bool, typer.Option("--follow", help="Keep following ISPyB's change feed and map each change as it comes (Ctrl-C stops).")] = False,
    poll: Annotated[float, typer.Option("--poll", min=0.1, max=300, help="With --follow: seconds between polls when caught up.")] = 1.0,
    restart: Annotated[bool, typer.Option("--restart", help="With --follow: forget the recorded position and follow from the start.")] = False,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="With --follow: stop once everything in the feed is in SciCat.")] = False,
    state_file: Annotated[Path | None, typer.Option("--state-file", metavar="FILE", help="With --follow: where the position is recorded [default: beside the stack's record].")] = None,
    json_output: JsonOption = False,
) -> None:
    """Map what ISPyB holds now into SciCat again, e.g. after new data went into ISPyB.

    Reads ISPyB through its API; records SciCat already has are left as they are. With
    --follow, keeps doing so change by change, resuming where it stopped.
    """
    from scicatlive.cli import live
    from scicatlive.clients.http import RetryPolicy

    live.check_follow_options(follow, {"--poll": poll != 1.0, "--restart": restart, "--until-idle": until_idle,
                                       "--state-file": state_file is not None})  # fmt: skip
    if follow and retry_seconds != DEFAULT_RETRY_SECONDS:
        raise ConfigError("--retry-seconds", "does not go with --follow: the follower retries until ISPyB and SciCat answer again")
    layout = parse_layout(sample_layout)
    handle = _stack(stack, profile, backend_url, ispyb_url, account, password, pid_prefix, site)
    if follow:
        live.follow(handle, account=account, sample_layout=layout, poll=poll, restart=restart, until_idle=until_idle,
                    state_file=state_file, site=site, json_output=json_output)  # fmt: skip
        return
    options: dict[str, object] = {"account": account, "sample_layout": layout, "concurrency": concurrency,
                                  "retry": RetryPolicy(deadline=retry_seconds)}  # fmt: skip
    if site:
        from scicatlive.sync import FacilityFacts

        options["facility"] = FacilityFacts(site=site)
    with ConsoleReporter() as reporter:
        handle.reporter = reporter
        report = handle.sync(**options)
    show_report(report, json_output)


def parse_layout(value: str | None) -> Layout | None:
    if value not in (None, "hierarchical", "flat"):
        raise ConfigError("--sample-layout", f"{value!r} is neither 'hierarchical' nor 'flat'")
    return cast("Layout | None", value)


def _stack(
    stack: str | None, profile: str | None, backend_url: str | None, ispyb_url: str | None,
    account: str, password: str | None, pid_prefix: str, site: str | None,
) -> Stack:  # fmt: skip
    if backend_url is None:
        if ispyb_url is not None:
            raise ConfigError("--ispyb-url", "only goes with --backend-url")
        return existing_stack(profile, stack)
    if password is None:
        raise ConfigError("--password", "seeding a backend by URL needs the account's password (or SCICATLIVE_PASSWORD)")
    from scicatlive.clients.target import target_from_options

    target = target_from_options(
        backend_url=backend_url, ispyb_url=ispyb_url, username=account, password=password,
        pid_prefix=pid_prefix, site=site, environ={},
    )  # fmt: skip
    return remote_stack(target)


def show_report(report: SeedReport, json_output: bool) -> None:
    if json_output:
        print_json(report.as_dict())
        return
    from rich.table import Table

    source = " (restored from the seed cache)" if report.source != "api" else ""
    table = Table("SciCat", "created", "already there", title=f"recipe {report.recipe!r} in {report.seconds:.1f} s{source}")
    for kind, tally in report.scicat.items():
        table.add_row(kind, str(tally.created), str(tally.existing))
    console.print(table)
    if report.ispyb_rows:
        console.print("ISPyB rows created: " + ", ".join(f"{t} {n}" for t, n in sorted(report.ispyb_rows.items())))


def register(app: typer.Typer) -> None:
    app.command("seed")(seed_command)
    app.command("sync")(sync_command)
