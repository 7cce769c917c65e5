"""`scicatlive snapshot save|restore|list|rm`: a stack's data, kept and brought back."""

from __future__ import annotations

from typing import Annotated

import typer

from scicatlive.cli.context import (
    ConsoleReporter,
    JsonOption,
    ProfileOption,
    StackOption,
    console,
    err_console,
    existing_stack,
    print_json,
)

app = typer.Typer(
    help="Snapshots of a stack's data: save the morning state of a training room, restore it after.",
    no_args_is_help=True,
)
NameArgument = Annotated[str, typer.Argument(help="The snapshot's name (letters, digits, '.', '-', '_').")]


@app.command("save")
def save(
    name: NameArgument,
    stack: StackOption = None,
    profile: ProfileOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a snapshot of that name.")] = False,
) -> None:
    """Dump every data service of a running stack (PostgreSQL, MariaDB, MongoDB) with a manifest."""
    from scicatlive.snapshots import check_name

    check_name(name)
    with ConsoleReporter() as reporter:
        handle = existing_stack(profile, stack)
        handle.reporter = reporter
        manifest = handle.snapshot(name, replace=replace)
    sizes = ", ".join(f"{d.service} {d.bytes / 2**20:.1f} MiB" for d in manifest.data)
    err_console.print(f"saved snapshot {name!r} of stack {manifest.stack!r} ({sizes})")


@app.command("restore")
def restore(name: NameArgument, stack: StackOption = None, profile: ProfileOption = None) -> None:
    """Replace the stack's data by the snapshot's; on any failure the old data stays."""
    from scicatlive.snapshots import check_name

    check_name(name)
    with ConsoleReporter() as reporter:
        handle = existing_stack(profile, stack)
        handle.reporter = reporter
        manifest = handle.restore(name)
    err_console.print(f"restored snapshot {name!r} into stack {handle.name!r}" + (f" (holds {manifest.recipe})" if manifest.recipe else ""))


@app.command("list")
def list_snapshots(json_output: JsonOption = False) -> None:
    """The snapshots kept on this machine."""
    from rich.table import Table

    from scicatlive.paths import snapshots_dir
    from scicatlive.snapshots import list_manifests

    found = list_manifests(snapshots_dir())
    if json_output:
        print_json([m.model_dump() for m in found])
        return
    table = Table("snapshot", "stack", "recipe", "created", "data")
    for m in found:
        data = ", ".join(f"{d.service} {sum(d.counts.values())} rows" for d in m.data)
        table.add_row(m.name, m.stack, m.recipe or "-", m.created, data)
    console.print(table)


@app.command("rm")
def remove(name: NameArgument) -> None:
    """Delete a snapshot."""
    from scicatlive.paths import snapshots_dir
    from scicatlive.snapshots import remove as remove_snapshot

    remove_snapshot(snapshots_dir(), name)
    err_console.print(f"removed snapshot {name!r}")
