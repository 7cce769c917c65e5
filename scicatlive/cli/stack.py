"""Stack commands: config, up, down, status, logs, credentials — thin callers of ``scicatlive.Stack``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scicatlive.cli.context import (
    ConsoleReporter,
    JsonOption,
    OfflineOption,
    PortOffsetOption,
    ProfileOption,
    StackOption,
    console,
    err_console,
    existing_stack,
    local_stack,
    print_json,
)
from scicatlive.cli.seed import LayoutOption, parse_layout, show_report
from scicatlive.errors import ConfigError

if TYPE_CHECKING:
    from scicatlive.runtime.status import ServiceStatus

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
    text = local_stack(profile, stack, port_offset, offline, dev=dev).config()
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
    seed_recipe: Annotated[str | None, typer.Option("--seed", help="Seed this recipe (tiny, demo, training, large or a file) [default: the profile's, on a new stack].")] = None,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Seed nothing, even on a new stack.")] = False,
    sample_layout: LayoutOption = None,
    check: Annotated[bool, typer.Option("--check", help="Then run `scicatlive check` on the stack (after seeding).")] = False,
    json_output: JsonOption = False,
    dev: DevOption = None,
    watch: Annotated[bool, typer.Option("--watch", help="Then stay and reload dev services as their checkouts change (compose watch).")] = False,
) -> None:
    """Build or pull images, start the stack and wait until every service is healthy."""
    layout = parse_layout(sample_layout)
    if seed_recipe and no_seed:
        raise ConfigError("--no-seed", "contradicts --seed; give one of them")
    handle = local_stack(profile, stack, port_offset, offline, dev=dev)
    if watch:
        handle.require_dev_services()
    with ConsoleReporter() as reporter:
        handle.reporter = reporter
        result = handle.up(keep=keep, rebuild=rebuild, timeout=timeout,
                           seed=False if no_seed else seed_recipe, sample_layout=layout)  # fmt: skip
    if json_output:
        seeded = result.seeded.recipe if result.seeded else None
        print_json({"stack": result.stack, "project": result.project, "seconds": round(result.seconds, 1),
                    "seeded": seeded, "services": [dataclasses.asdict(s) for s in result.services]})  # fmt: skip
    else:
        err_console.print(f"[green]stack {result.stack!r} is up[/] in {result.seconds:.1f} s")
        print_status(result.services)
        console.print("credentials: [bold]scicatlive credentials" + (f" --stack {result.stack}" if stack else "") + "[/]")
    if result.seeded is not None and not json_output:
        show_report(result.seeded, json_output=False)
    if check:
        from scicatlive.checks.report import table as check_table
        from scicatlive.cli.check import show_check_progress

        checked = handle.check(on_result=None if json_output else show_check_progress)
        if not json_output:
            console.print(check_table(checked))
        if not checked.ok:
            raise typer.Exit(1)
    if watch:
        raise typer.Exit(handle.watch(lambda line: err_console.print(f"[cyan]watch:[/] {line}", highlight=False)))


def down(
    stack: StackOption = None,
    profile: ProfileOption = None,
    volumes: Annotated[bool, typer.Option("--volumes", help="Also delete the stack's data volumes and secrets.")] = False,
) -> None:
    """Stop and remove the stack's containers; data volumes are kept unless --volumes."""
    handle = existing_stack(profile, stack)
    handle.down(volumes=volumes)
    err_console.print(f"stack {handle.name!r} is down" + (" and its data is wiped" if volumes else ""))


def status(
    stack: StackOption = None,
    profile: ProfileOption = None,
    all_stacks: Annotated[bool, typer.Option("--all", help="Every stack set up on this machine.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Services of the stack: state, health and URLs."""
    from scicatlive.handle import Stack
    from scicatlive.stack.record import known_stacks

    handles = [Stack.existing(name) for name in known_stacks()] if all_stacks else [existing_stack(profile, stack)]
    from scicatlive.sync.follow_status import SYNC_SERVICE, stack_follow_state

    report = {handle.name: (handle.record(), handle.status()) for handle in handles}
    follows = {name: stack_follow_state(name, services) for name, (_, services) in report.items()}
    if json_output:
        def entry(name: str, s: ServiceStatus) -> dict[str, object]:
            found = follows[name]
            following = found[1].summary() if found and s.name == SYNC_SERVICE else None
            return {**dataclasses.asdict(s), **({"follow": following} if following else {})}

        print_json({name: [entry(name, s) for s in services] for name, (_, services) in report.items()})
        return
    for name, (record, services) in report.items():
        holds = f" [dim]holds: {record.recipe}[/]" if record.recipe else ""
        console.print(f"[bold]{name}[/]" + ("" if services else " [dim]not running[/]") + holds)
        if services:
            print_status(services)
        if follows[name]:
            who, state = follows[name]  # type: ignore[misc]
            console.print(f"follow ({who}): {state.describe()}", highlight=False)


def logs(
    service: Annotated[str | None, typer.Argument(help="One service; all when omitted.")] = None,
    stack: StackOption = None,
    profile: ProfileOption = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")] = False,
    tail: Annotated[int | None, typer.Option("--tail", min=1, help="Only the last N lines.")] = None,
) -> None:
    """Print the logs of the stack or one of its services."""
    handle = existing_stack(profile, stack)
    if follow:
        for chunk in handle.follow_logs(service):
            typer.echo(chunk, nl=False)
    else:
        typer.echo(handle.logs(service, tail=tail), nl=False)


def credentials(stack: StackOption = None, profile: ProfileOption = None, json_output: JsonOption = False) -> None:
    """Accounts, passwords and URLs of a stack (the only place secrets are shown)."""
    from rich.table import Table

    handle = existing_stack(profile, stack)
    found = handle.credentials()
    if json_output:
        print_json(dataclasses.asdict(found))
        return
    table = Table("account", "password", "groups", title=f"stack {found.stack}")
    for account in found.accounts:
        table.add_row(account.username, account.password, ", ".join(account.groups))
    console.print(table)
    for service, url in found.urls.items():
        console.print(f"{service:<14} {url}")
    from scicatlive.training.links import jupyter_link

    jupyter = jupyter_link(handle.resolved, found.secrets)
    if jupyter:
        console.print(f"{'jupyter login':<14} {jupyter}")


def print_status(services: list[ServiceStatus]) -> None:
    from rich.table import Table

    table = Table("service", "state", "health", "url / ports")
    for s in services:
        where = ", ".join(s.urls) or ", ".join(map(str, s.host_ports)) or "-"
        name = f"{s.name} [yellow](dev: {s.dev_source})[/]" if s.dev_source else s.name
        table.add_row(name, s.state, s.health or "-", where)
    console.print(table)


def register(app: typer.Typer) -> None:
    for command in (config, up, down, status, logs, credentials):
        app.command()(command)
