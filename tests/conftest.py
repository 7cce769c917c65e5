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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Docker tests run last; without an engine they skip locally and fail in CI."""
    items.sort(key=lambda item: item.get_closest_marker("docker") is not None)
