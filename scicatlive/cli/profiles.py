"""`scicatlive profiles list|show`."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer

from scicatlive.cli.context import JsonOption, console, print_json

app = typer.Typer(help="The bundled profiles and the user's own.", no_args_is_help=True)


@app.command("list")
def list_profiles(json_output: JsonOption = False) -> None:
    """Every profile `--profile NAME` accepts."""
    from rich.table import Table

    from scicatlive.stack.summary import summarize_all

    profiles = summarize_all()
    if json_output:
        print_json([
            {"name": p.name, "default": p.default, "services": sorted(s.name for s in p.services),
             "features": p.features, "description": p.description}
            for p in profiles
        ])
        return
    table = Table("profile", "services", "features", "description")
    for p in profiles:
        table.add_row(
            p.name + (" (default)" if p.default else ""), ", ".join(s.name for s in p.services),
            ", ".join(p.features) or "-", p.description,
        )
    console.print(table)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Profile name or path.")], json_output: JsonOption = False) -> None:
    """A profile with its `extends` chain merged: services, variants, images, ports, accounts."""
    from rich.table import Table

    from scicatlive.stack.summary import summarize

    profile = summarize(name)
    if json_output:
        print_json(dataclasses.asdict(profile))
        return
    console.print(f"[bold]{profile.name}[/] ({profile.source}) — {profile.description}")
    table = Table("service", "role", "variant", "image", "host ports")
    for s in profile.services:
        table.add_row(s.name, s.role, s.variant, s.image, ", ".join(map(str, s.host_ports)) or "-")
    console.print(table)
    console.print("features: " + (", ".join(profile.features) or "none"))
    console.print("accounts: " + ", ".join(f"{a.username} ({', '.join(a.groups)})" for a in profile.accounts))
