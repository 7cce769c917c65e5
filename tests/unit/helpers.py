"""Small builders for profile files used across the unit tests."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent
from typing import Any

from scicatlive import Stack
from scicatlive.stack.record import StackPaths


def write_profile(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def write_stack_files(profile: str, **options: Any) -> StackPaths:
    """What `scicatlive config` writes for the profile (its own ports unless told otherwise)."""
    if "stack" in options:
        options["name"] = options.pop("stack")
    options.setdefault("port_offset", None)
    stack = Stack(profile, **options)
    stack.config()
    return StackPaths.for_stack(stack.name)
