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

DevOption = Annotated[
    list[str] | None,
    typer.Option("--dev", metavar="NAME=PATH", help="Run service NAME from the checkout at PATH, reloaded as it changes (repeatable)."),
]


def config(
    profile: ProfileOption = None,
    stack: StackOption = None,
    port_offset: PortOffsetOption = None,
    offline: OfflineOption = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")] = None,
    dev: DevOption = None,
) -> None:
    """Print the complete compose YAML that `up` runs (eject with plain `docker compose`).

    Secrets are not in it: they sit in env files in the stack's state directory.
    """
    from scicatlive.develop.stack import with_dev_mode

    resolved, _ = with_dev_mode(load_stack(profile, stack=stack, port_offset=port_offset, offline=offline), dev)
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
    dev: DevOption = None,
    watch: Annotated[bool, typer.Option("--watch", help="Then stay and reload dev services as their checkouts change (compose watch).")] = False,
) -> None:
    """Build or pull images, start the stack and wait until every service is healthy."""
    from scicatlive.develop import stack as develop

    resolved, dev_sources = develop.with_dev_mode(load_stack(profile, stack=stack, port_offset=port_offset, offline=offline), dev)
    if watch:
        develop.require_dev_services(dev_sources)
    layout = parse_layout(sample_layout)
    recipe = load_recipe(seed_recipe) if seed_recipe else None  # a bad recipe fails before anything starts
    with ConsoleReporter() as reporter:
        if dev_sources:
            develop.build_dev(resolved, dev_sources, lifecycle.write_stack_files(resolved).compose_file, reporter)
        result = lifecycle.up(resolved, reporter=reporter, keep=keep, rebuild=rebuild, timeout=timeout)
    if json_output:
        print_json({"stack": result.stack, "project": result.project, "seconds": round(result.seconds, 1),
                    "services": [dataclasses.asdict(s) for s in result.services]})
    else:
        err_console.print(f"[green]stack {result.stack!r} is up[/] in {result.seconds:.1f} s")
        _print_status(result.services, _dev_marks(result.stack))
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
    if watch:
        from scicatlive.develop.watch import run_watch
        from scicatlive.runtime.engine import default_engine
        from scicatlive.stack.state import StackPaths

        compose_file = StackPaths.for_stack(resolved.name).compose_file
        code = run_watch(default_engine(), resolved.project, compose_file, resolved.name, dev_sources,
                         lambda line: err_console.print(f"[cyan]watch:[/] {line}", highlight=False))
        raise typer.Exit(code)


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
    dev = {name: _dev_marks(name) for name in names}
    if json_output:
        print_json({name: [{**dataclasses.asdict(s), "dev_source": dev[name].get(s.name)} for s in services]
                    for name, services in report.items()})
        return
    for name, services in report.items():
        console.print(f"[bold]{name}[/]" + ("" if services else " [dim]not running[/]"))
        if services:
            _print_status(services, dev[name])


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


def _print_status(services: list[lifecycle.ServiceStatus], dev: dict[str, str] | None = None) -> None:
    table = Table("service", "state", "health", "url / ports")
    for s in services:
        where = ", ".join(s.urls) or ", ".join(map(str, s.host_ports)) or "-"
        name = f"{s.name} [yellow](dev: {dev[s.name]})[/]" if dev and s.name in dev else s.name
        table.add_row(name, s.state, s.health or "-", where)
    console.print(table)


def _dev_marks(name: str) -> dict[str, str]:
    from scicatlive.develop.stack import dev_services

    return dev_services(name)


def register(app: typer.Typer) -> None:
    for command in (config, up, down, status, logs, credentials):
        app.command()(command)
