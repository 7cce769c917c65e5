"""Where scicatlive reads its bundled data and keeps its per-user state.

Bundled data (service catalogue, host-side tools, profiles, seed recipes) sits at the top of a
checkout; an installed wheel carries it under ``scicatlive/_data``. Per-user
files follow the XDG base directory spec, each overridable by a
``SCICATLIVE_*`` variable for CI and tests.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_root() -> Path:
    override = os.environ.get("SCICATLIVE_DATA_DIR")
    if override:
        return Path(override)
    bundled = _PACKAGE_DIR / "_data"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def services_dir() -> Path:
    """The service catalogue: one folder per service."""
    return _data_root() / "services"


def tools_dir() -> Path:
    """Host-side tools that are not services: one folder per tool."""
    return _data_root() / "tools"


def profiles_dir() -> Path:
    """The bundled profiles."""
    return _data_root() / "compose" / "profiles"


def seeds_dir() -> Path:
    """The bundled seed recipes."""
    return _data_root() / "seeds"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    base = Path(value) if value else Path.home() / fallback
    return base / "scicatlive"


def config_dir() -> Path:
    """User configuration, e.g. the user's own profiles in ``profiles/``."""
    override = os.environ.get("SCICATLIVE_CONFIG_DIR")
    return Path(override) if override else _xdg("XDG_CONFIG_HOME", ".config")


def state_dir() -> Path:
    """Per-stack state: secrets, rendered compose files, generated config."""
    override = os.environ.get("SCICATLIVE_STATE_DIR")
    return Path(override) if override else _xdg("XDG_STATE_HOME", ".local/state")


def cache_dir() -> Path:
    """Rebuildable files: wheelhouses, rootfs tarballs."""
    override = os.environ.get("SCICATLIVE_CACHE_DIR")
    return Path(override) if override else _xdg("XDG_CACHE_HOME", ".cache")


def snapshots_dir() -> Path:
    """Named snapshots of stacks' data (user data: ``$XDG_DATA_HOME``)."""
    override = os.environ.get("SCICATLIVE_SNAPSHOT_DIR")
    return Path(override) if override else _xdg("XDG_DATA_HOME", ".local/share") / "snapshots"


def seed_cache_dir() -> Path:
    """Snapshots of freshly seeded stacks, reused to seed the next one (rebuildable: a cache)."""
    return cache_dir() / "seed-cache"


def user_profiles_dir() -> Path:
    return config_dir() / "profiles"


def display(path: Path) -> str:
    """A path as the user should read it in a message: relative when under the cwd."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def work_dir() -> Path:
    """Scratch space for builds (rootfs, build contexts), on the cache's disk."""
    directory = cache_dir() / "work"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
