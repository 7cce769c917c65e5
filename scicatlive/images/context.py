"""The build context of a local image, and the digest that names its tag.

The tag of a locally built image is a digest of everything that goes into the
build (the service folder, minus tests and caches, and the base it builds on),
so an unchanged service is never rebuilt and a changed one always is.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from scicatlive.catalogue.model import BuildSpec

RECIPE_VERSION = "1"  # bump when the way contexts are assembled changes
_EXCLUDED_DIRS = {"tests", "__pycache__", ".pytest_cache", ".mypy_cache", "node_modules"}
_EXCLUDED_SUFFIXES = {".pyc", ".pyo"}


def context_files(folder: Path) -> Iterator[Path]:
    """The files of a service folder that belong in its image's build context."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part in _EXCLUDED_DIRS for part in relative.parts):
            continue
        if path.is_file() and path.suffix not in _EXCLUDED_SUFFIXES:
            yield path


def build_digest(folder: Path, build: BuildSpec, base_image: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"recipe={RECIPE_VERSION}\nbase={base_image}\n".encode())
    digest.update(f"build={build.model_dump_json()}\n".encode())
    for path in context_files(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def assemble_context(folder: Path, destination: Path) -> None:
    """Copy the service folder's build files into ``destination``."""
    for path in context_files(folder):
        target = destination / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
