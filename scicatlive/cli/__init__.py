"""The `scicatlive` command: thin Typer commands over the library."""

from scicatlive.cli.app import app, main

__all__ = ["app", "main"]
