"""Small builders for profile files used across the unit tests."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent


def write_profile(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path
