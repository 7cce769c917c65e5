"""`scicatlive handout`: one page per account for a training room."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scicatlive.cli.context import JsonOption, ProfileOption, StackOption, err_console, print_json


def handout(
    stack: StackOption = None,
    profile: ProfileOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Folder to write to (default: ./handouts-STACK).")] = None,
    account: Annotated[list[str] | None, typer.Option("--account", "-a", help="Only this account (repeat for several).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Write a handout per account (HTML and Markdown): addresses, login, JupyterLab link, exercises.

    The pages hold passwords: they are written readable by you only.
    """
    from scicatlive.stack.load import default_stack_name
    from scicatlive.training.handout import write_handouts

    name = default_stack_name(profile, stack)
    written = write_handouts(name, output, account or None)
    if json_output:
        print_json({"stack": name, "folder": str(written.folder), "files": [str(f) for f in written.files]})
        return
    pages = sum(1 for f in written.files if f.suffix == ".html")
    err_console.print(f"wrote {pages} handout page{'s' if pages != 1 else ''} for stack {name!r} to {written.folder}")


def register(app: typer.Typer) -> None:
    app.command()(handout)
