"""Stack commands: config, up, down, status, logs, credentials."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scicatlive.cli.context import (
    ConsoleReporter,
    JsonOption,
    OfflineOption,
    PortOffsetOption,
    ProfileOption,
    StackOption,
    console,
    err_console,
    print_json,
)
from scicatlive.cli.seed import LayoutOption, parse_layout, show_report
from scicatlive.checks import Selection, run_checks, target_from_stack
from scicatlive.checks.report import table as check_table
from scicatlive.cli.check import show_check_progress
from scicatlive.runtime import lifecycle
from scicatlive.seeding.recipe import load_recipe
from scicatlive.seeding.run import seed, stack_target
from scicatlive.stack.load import credentials as load_credentials
from scicatlive.stack.load import Credentials, default_stack_name, load_stack, reload_stack
from scicatlive.stack.state import known_stacks


def config(
    profile: ProfileOption = None,
    stack: StackOption = None,
    port_offset: PortOffsetOption = None,
    offline: OfflineOption = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")] = None,
) -> None:
    """Print the complete compose YAML that `up` runs (eject with plain `docker compose`).

    Secrets are not in it: they sit in env files in the stack's state directory.
    """
    resolved = load_stack(profile, stack=stack, port_offset=port_offset, offline=offline)
    paths = lifecycle.write_stack_files(resolved)
    text = paths.compose_file.read_text(encoding="utf-8")
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}")


def up(
    profile: ProfileOption = None,
    stack: StackOption = None,
    port_offset: PortOffsetOption = None,
    offline: OfflineOption = False,
    keep: Annotated[bool, typer.Option("--keep", help="On failure, leave the containers for inspection.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild local images even if they exist.")] = False,
    timeout: Annotated[float | None, typer.Option("--timeout", min=5, help="Seconds to wait for healthy [default: from the profile].")] = None,
    seed_recipe: Annotated[str | None, typer.Option("--seed", help="Then seed this recipe (tiny, demo, training, large or a file).")] = None,
    sample_layout: LayoutOption = None,
    check: Annotated[bool, typer.Option("--check", help="Then run `scicatlive check` on the stack (after seeding).")] = False,
    json_output: JsonOption = False,
) -> None:
    """Build or pull images, start the stack and wait until every service is healthy."""
    resolved = load_stack(profile, stack=stack, port_offset=port_offset, offline=offline)
    layout = parse_layout(sample_layout)
    recipe = load_recipe(seed_recipe) if seed_recipe else None  # a bad recipe fails before anything starts
    with ConsoleReporter() as reporter:
        result = lifecycle.up(resolved, reporter=reporter, keep=keep, rebuild=rebuild, timeout=timeout)
    if json_output:
        print_json({"stack": result.stack, "project": result.project, "seconds": round(result.seconds, 1),
                    "services": [dataclasses.asdict(s) for s in result.services]})
    else:
        err_console.print(f"[green]stack {result.stack!r} is up[/] in {result.seconds:.1f} s")
        _print_status(result.services)
        console.print("credentials: [bold]scicatlive credentials" + (f" --stack {result.stack}" if stack else "") + "[/]")
    if recipe is not None:
        with ConsoleReporter() as reporter:
            report = seed(stack_target(resolved.name), recipe, sample_layout=layout, reporter=reporter)
        if not json_output:
            show_report(report, json_output=False)
    if check:
        checked = run_checks(target_from_stack(resolved.name), Selection.parse(), on_result=None if json_output else show_check_progress)
        if not json_output:
            console.print(check_table(checked))
        if not checked.ok:
            raise typer.Exit(1)


def down(
    stack: StackOption = None,
    profile: ProfileOption = None,
    volumes: Annotated[bool, typer.Option("--volumes", help="Also delete the stack's data volumes and secrets.")] = False,
) -> None:
    """Stop and remove the stack's containers; data volumes are kept unless --volumes."""
    name = default_stack_name(profile, stack)
    lifecycle.down(name, volumes=volumes)
    err_console.print(f"stack {name!r} is down" + (" and its data is wiped" if volumes else ""))


def status(
    stack: StackOption = None,
    profile: ProfileOption = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Every stack set up on this machine.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Services of the stack: state, health and URLs."""
    names = known_stacks() if all_stacks else [default_stack_name(profile, stack)]
    report = {name: lifecycle.status(name) for name in names}
    if json_output:
        print_json({name: [dataclasses.asdict(s) for s in services] for name, services in report.items()})
        return
    for name, services in report.items():
        console.print(f"[bold]{name}[/]" + ("" if services else " [dim]not running[/]"))
        if services:
            _print_status(services)


def logs(
    service: Annotated[str | None, typer.Argument(help="One service; all when omitted.")] = None,
    stack: StackOption = None,
    profile: ProfileOption = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")] = False,
    tail: Annotated[int | None, typer.Option("--tail", min=1, help="Only the last N lines.")] = None,
) -> None:
    """Print the logs of the stack or one of its services."""
    name = default_stack_name(profile, stack)
    if follow:
        for chunk in lifecycle.follow_logs(name, service):
            typer.echo(chunk, nl=False)
    else:
        typer.echo(lifecycle.service_logs(name, service, tail=tail), nl=False)


def credentials(stack: StackOption = None, profile: ProfileOption = None, json_output: JsonOption = False) -> None:
    """Accounts, passwords and URLs of a stack (the only place secrets are shown)."""
    found = load_credentials(default_stack_name(profile, stack))
    if json_output:
        print_json(dataclasses.asdict(found))
        return
    table = Table("account", "password", "groups", title=f"stack {found.stack}")
    for account in found.accounts:
        table.add_row(account.username, account.password, ", ".join(account.groups))
    console.print(table)
    for service, url in found.urls.items():
        console.print(f"{service:<14} {url}")
    jupyter = _jupyter_link(found)
    if jupyter:
        console.print(f"{'jupyter login':<14} {jupyter}")


def _jupyter_link(found: Credentials) -> str | None:
    from scicatlive.training.links import jupyter_link

    return jupyter_link(reload_stack(found.stack), found.secrets)


def _print_status(services: list[lifecycle.ServiceStatus]) -> None:
    table = Table("service", "state", "health", "url / ports")
    for s in services:
        where = ", ".join(s.urls) or ", ".join(map(str, s.host_ports)) or "-"
        table.add_row(s.name, s.state, s.health or "-", where)
    console.print(table)


def register(app: typer.Typer) -> None:
    for command in (config, up, down, status, logs, credentials):
        app.command()(command)
