"""`scicatlive doctor`."""

from __future__ import annotations

import dataclasses

import typer
from rich.table import Table

from scicatlive.cli.context import JsonOption, PortOffsetOption, ProfileOption, StackOption, console, print_json
from scicatlive.runtime.doctor import run_doctor
from scicatlive.runtime.engine import default_engine
from scicatlive.stack.load import load_stack


def doctor(
    profile: ProfileOption = None,
    stack: StackOption = None,
    port_offset: PortOffsetOption = None,
    json_output: JsonOption = False,
) -> None:
    """Check that this machine can run the stack, and say exactly what to fix."""
    resolved = load_stack(profile, stack=stack, port_offset=port_offset)
    findings = run_doctor(default_engine(), resolved)
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
