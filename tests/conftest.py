"""Shared test setup: every test gets its own state, cache and config directories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point scicatlive's XDG directories at a fresh folder; keep the shared wheel cache."""
    root = tmp_path_factory.mktemp("scicatlive-home")
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", str(root / "state"))
    monkeypatch.setenv("SCICATLIVE_CONFIG_DIR", str(root / "config"))
    monkeypatch.setenv("SCICATLIVE_SNAPSHOT_DIR", str(root / "snapshots"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    for variable in ("SCICATLIVE_PROFILE", "SCICATLIVE_STACK", "SCICATLIVE_PORT_OFFSET", "SCICATLIVE_OFFLINE"):
        monkeypatch.delenv(variable, raising=False)
    yield root


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Docker tests run last; without an engine they skip locally and fail in CI.

    Under pytest-xdist (`-n 2 --dist loadgroup`) they form one group that goes first to one
    worker, in order (their module stacks and the base image are built once), while the
    other workers take everything else a file at a time (module fixtures start once, and
    a module's tests keep their order).
    """
    distributed = getattr(config.option, "dist", "no") != "no"
    docker = [item for item in items if item.get_closest_marker("docker") is not None]
    others = [item for item in items if item.get_closest_marker("docker") is None]
    if distributed:
        for item in docker:
            item.add_marker(pytest.mark.xdist_group("docker"))
        for item in others:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
    items[:] = docker + others if distributed else others + docker
