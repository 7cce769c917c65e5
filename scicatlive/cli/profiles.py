"""`scicatlive profiles list|show`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from scicatlive.cli.context import JsonOption, console, print_json
from scicatlive.profiles.loader import DEFAULT_PROFILE, bundled_profiles
from scicatlive.stack.load import load_stack

app = typer.Typer(help="The bundled profiles and the user's own.", no_args_is_help=True)


@app.command("list")
def list_profiles(json_output: JsonOption = False) -> None:
    """Every profile `--profile NAME` accepts."""
    rows = []
    for name in sorted(n for n in bundled_profiles() if not n.startswith("_")):
        stack = load_stack(name)
        rows.append({"name": name, "default": name == DEFAULT_PROFILE, "services": sorted(stack.services),
                     "description": stack.profile.description.strip()})
    if json_output:
        print_json(rows)
        return
    table = Table("profile", "services", "description")
    for row in rows:
        table.add_row(row["name"] + (" (default)" if row["default"] else ""), ", ".join(row["services"]), row["description"])
    console.print(table)


@app.command("show")
def show(name: Annotated[str, typer.Argument(help="Profile name or path.")], json_output: JsonOption = False) -> None:
    """A profile with its `extends` chain merged: services, variants, images, ports, accounts."""
    stack = load_stack(name)
    services = [
        {"name": s.name, "role": s.role.value, "variant": s.variant, "image": s.image, "local_build": s.is_local,
         "host_ports": [p.host for p in s.ports if p.host is not None], "depends_on": list(s.depends_on)}
        for s in stack.services.values()
    ]
    accounts = [{"username": a.username, "email": a.email, "groups": list(a.groups)} for a in stack.accounts]
    if json_output:
        print_json({"name": stack.profile.name, "source": str(stack.profile.source), "stack": stack.name,
                    "settings": stack.settings.model_dump(), "services": services, "accounts": accounts})
        return
    console.print(f"[bold]{stack.profile.name}[/] ({stack.profile.source}) — {stack.profile.description.strip()}")
    table = Table("service", "role", "variant", "image", "host ports")
    for s in services:
        table.add_row(s["name"], s["role"], s["variant"], s["image"], ", ".join(map(str, s["host_ports"])) or "-")
    console.print(table)
    console.print("accounts: " + ", ".join(f"{a['username']} ({', '.join(a['groups'])})" for a in accounts))
