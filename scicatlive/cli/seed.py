"""`scicatlive seed` (and the seeding half of `up --seed`)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, cast

import typer
from rich.table import Table

from scicatlive.cli.context import ConsoleReporter, JsonOption, ProfileOption, StackOption, console, print_json
from scicatlive.errors import ConfigError
from scicatlive.seeding.ispyb_reader import FacilityFacts
from scicatlive.mapping import SampleLayout
from scicatlive.seeding.sync import sync, sync_stack
from scicatlive.seeding.run import DEFAULT_ACCOUNT, Endpoint, SeedReport, SeedTarget, seed, stack_target
from scicatlive.stack.load import default_stack_name

RecipeArgument = Annotated[str, typer.Argument(help="A bundled recipe (tiny, demo, training, large) or a YAML file.")]
LayoutOption = Annotated[
    str | None,
    typer.Option("--sample-layout", help="hierarchical (shipment → dewar → puck → crystal) or flat [default: the recipe's]."),
]
AccountOption = Annotated[
    str, typer.Option("--account", envvar="SCICATLIVE_ACCOUNT", help="The functional account that writes the data.")
]


def seed_command(
    recipe: RecipeArgument = "tiny",
    stack: StackOption = None,
    profile: ProfileOption = None,
    account: AccountOption = DEFAULT_ACCOUNT,
    sample_layout: LayoutOption = None,
    backend_url: Annotated[str | None, typer.Option("--backend-url", envvar="SCICATLIVE_BACKEND_URL", help="Seed this SciCat backend instead of a local stack.")] = None,
    ispyb_url: Annotated[str | None, typer.Option("--ispyb-url", envvar="SCICATLIVE_ISPYB_URL", help="With --backend-url: the ISPyB mock to load first.")] = None,
    password: Annotated[str | None, typer.Option("--password", envvar="SCICATLIVE_PASSWORD", help="With --backend-url: the account's password.")] = None,
    pid_prefix: Annotated[str, typer.Option("--pid-prefix", help="With --backend-url: the backend's PID_PREFIX.")] = "PID.SAMPLE.PREFIX",
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Requests in flight at once.")] = 16,
    json_output: JsonOption = False,
) -> None:
    """Fill a stack with a realistic MX facility: into ISPyB first, then mapped into SciCat.

    Safe to repeat: the same recipe gives the same ids, so nothing is duplicated.
    """
    layout = parse_layout(sample_layout)
    target = _target(backend_url, ispyb_url, account, password, pid_prefix) or stack_target(
        default_stack_name(profile, stack), account
    )
    with ConsoleReporter() as reporter:
        report = seed(target, recipe, sample_layout=layout, concurrency=concurrency, reporter=reporter)
    show_report(report, json_output)


def sync_command(
    stack: StackOption = None,
    profile: ProfileOption = None,
    account: AccountOption = DEFAULT_ACCOUNT,
    sample_layout: LayoutOption = None,
    backend_url: Annotated[str | None, typer.Option("--backend-url", envvar="SCICATLIVE_BACKEND_URL", help="Sync into this SciCat backend instead of a local stack's.")] = None,
    ispyb_url: Annotated[str | None, typer.Option("--ispyb-url", envvar="SCICATLIVE_ISPYB_URL", help="With --backend-url: the ISPyB to read.")] = None,
    password: Annotated[str | None, typer.Option("--password", envvar="SCICATLIVE_PASSWORD", help="With --backend-url: the account's password.")] = None,
    pid_prefix: Annotated[str, typer.Option("--pid-prefix", help="With --backend-url: the backend's PID_PREFIX.")] = "PID.SAMPLE.PREFIX",
    site: Annotated[str | None, typer.Option("--site", help="The facility site the data was seeded with [default: the profile's].")] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Requests in flight at once.")] = 16,
    json_output: JsonOption = False,
) -> None:
    """Map what ISPyB holds now into SciCat again, e.g. after new data went into ISPyB.

    Reads ISPyB through its API; records SciCat already has are left as they are.
    """
    layout = parse_layout(sample_layout)
    target = _target(backend_url, ispyb_url, account, password, pid_prefix)
    with ConsoleReporter() as reporter:
        if target is None:
            name = default_stack_name(profile, stack)
            facility = FacilityFacts(site=site) if site else None
            report = sync_stack(name, account=account, sample_layout=layout, concurrency=concurrency,
                                reporter=reporter, **({"facility": facility} if facility else {}))
        else:
            report = sync(target, sample_layout=layout, concurrency=concurrency, reporter=reporter,
                          facility=FacilityFacts(site=site) if site else None)
    show_report(report, json_output)


def parse_layout(value: str | None) -> SampleLayout | None:
    if value not in (None, "hierarchical", "flat"):
        raise ConfigError("--sample-layout", f"{value!r} is neither 'hierarchical' nor 'flat'")
    return cast("SampleLayout | None", value)


def _target(backend_url: str | None, ispyb_url: str | None, account: str, password: str | None, pid_prefix: str) -> SeedTarget | None:
    if backend_url is None:
        if ispyb_url is not None:
            raise ConfigError("--ispyb-url", "only goes with --backend-url")
        return None
    if password is None:
        raise ConfigError("--password", "seeding a backend by URL needs the account's password (or SCICATLIVE_PASSWORD)")
    return SeedTarget(
        scicat=Endpoint(backend_url, account, password),
        ispyb=Endpoint(ispyb_url, account, password) if ispyb_url else None,
        pid_prefix=pid_prefix,
    )


def show_report(report: SeedReport, json_output: bool) -> None:
    if json_output:
        print_json({"recipe": report.recipe, "seconds": round(report.seconds, 2), "ispyb_rows_created": report.ispyb_rows,
                    "scicat": {k: dataclasses.asdict(v) for k, v in report.scicat.items()}})
        return
    table = Table("SciCat", "created", "already there", title=f"recipe {report.recipe!r} in {report.seconds:.1f} s")
    for kind, tally in report.scicat.items():
        table.add_row(kind, str(tally.created), str(tally.existing))
    console.print(table)
    if report.ispyb_rows:
        console.print("ISPyB rows created: " + ", ".join(f"{t} {n}" for t, n in sorted(report.ispyb_rows.items())))


def register(app: typer.Typer) -> None:
    app.command("seed")(seed_command)
    app.command("sync")(sync_command)
