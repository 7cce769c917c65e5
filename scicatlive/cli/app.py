"""The root command and its groups; every command body lives in a sibling module."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from scicatlive import __version__
from scicatlive.cli.context import abort
from scicatlive.errors import ScicatliveError


class _HandledGroup(TyperGroup):
    """Expected failures become one red line and an exit code, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click: its Context type is private
        try:
            return super().invoke(ctx)
        except ScicatliveError as error:
            abort(error)


app = typer.Typer(
    cls=_HandledGroup,
    name="scicatlive",
    help="A SciCat + ISPyB catalogue on your laptop, in CI or in a training room.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    # Plain help: typer's rich help imports rich's Markdown renderer, 0.25 s before any output.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scicatlive {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Compose, seed and check SciCat + ISPyB stacks from YAML profiles."""


def _register() -> None:
    from scicatlive.cli import (
        check,
        doctor,
        images,
        live,
        profiles,
        seed,
        snapshot,
        stack,
        training,
    )

    stack.register(app)
    seed.register(app)
    live.register(app)
    doctor.register(app)
    check.register(app)
    training.register(app)
    app.add_typer(profiles.app, name="profiles")
    app.add_typer(images.app, name="images")
    app.add_typer(snapshot.app, name="snapshot")


_register()


def main() -> None:
    app()
