"""`scicatlive doctor`."""

from __future__ import annotations

import dataclasses

import typer

from scicatlive.cli.context import (
    JsonOption,
    PortOffsetOption,
    ProfileOption,
    StackOption,
    console,
    local_stack,
    print_json,
)


def doctor(
    profile: ProfileOption = None,
    stack: StackOption = None,
    port_offset: PortOffsetOption = None,
    json_output: JsonOption = False,
) -> None:
    """Check that this machine can run the stack, and say exactly what to fix."""
    from rich.table import Table

    from scicatlive.runtime.doctor import run_doctor

    handle = local_stack(profile, stack, port_offset, offline=False)
    findings = run_doctor(handle.engine, handle.resolved)
    if json_output:
        print_json([dataclasses.asdict(f) for f in findings])
    else:
        table = Table("check", "", "detail", "fix")
        for f in findings:
            table.add_row(f.check, "[green]ok[/]" if f.ok else "[red]FAIL[/]", f.detail, f.fix)
        console.print(table)
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(doctor)
