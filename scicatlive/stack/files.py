"""Atomic writes with the right modes, so nothing is ever half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# Files bind-mounted into containers must be readable by the container's own
# user; their 0700 parent directory keeps other host users out.
MOUNTED_FILE = 0o644


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents, each readable by its owner only."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)


def write_atomic(path: Path, content: str | bytes, mode: int) -> None:
    ensure_private_dir(path.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private(path: Path, content: str | bytes) -> None:
    write_atomic(path, content, PRIVATE_FILE)


def write_mounted(path: Path, content: str | bytes) -> None:
    write_atomic(path, content, MOUNTED_FILE)
