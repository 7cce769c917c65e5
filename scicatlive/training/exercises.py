"""The training exercises: the notebooks of the Jupyter service, in order.

Each notebook's first markdown cell starts with its title (``# 1. Search the catalogue``)
and its metadata may say what the stack needs for it (``"scicatlive": {"needs": ["jobs"]}``),
so the handouts always list the notebooks that ship, in their own words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scicatlive.errors import ConfigError
from scicatlive.paths import display, services_dir

JUPYTER_SERVICE = "jupyter"


def notebooks_dir() -> Path:
    return services_dir() / JUPYTER_SERVICE / "notebooks"


@dataclass(frozen=True)
class Exercise:
    file: str
    title: str
    summary: str
    needs: tuple[str, ...]


def exercises(folder: Path | None = None) -> list[Exercise]:
    """Every ``*.ipynb`` of the folder, by file name (they are numbered)."""
    folder = folder or notebooks_dir()
    return [_read(path) for path in sorted(folder.glob("*.ipynb"))]


def _read(path: Path) -> Exercise:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(display(path), f"not a readable notebook: {error}") from None
    markdown = next((c for c in notebook.get("cells", []) if c.get("cell_type") == "markdown"), None)
    if markdown is None:
        raise ConfigError(display(path), "the first markdown cell (title and summary) is missing")
    source = markdown["source"]
    lines = ("".join(source) if isinstance(source, list) else source).strip().splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ConfigError(display(path), "the first markdown cell must start with a `# Title` line")
    summary = next((line.strip() for line in lines[1:] if line.strip()), "")
    needs = notebook.get("metadata", {}).get("scicatlive", {}).get("needs", [])
    return Exercise(path.name, lines[0][2:].strip(), summary, tuple(needs))
