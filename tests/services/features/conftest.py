"""Docker tests of the feature services: one `lite-all` stack, started once for the module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scicatlive.engine import Engine
from tests.support import docker_engine, environment


@pytest.fixture(scope="session")
def engine() -> Engine:
    return docker_engine()


@pytest.fixture(scope="session")
def feature_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state directory the module-scoped stacks share across tests."""
    state = tmp_path_factory.mktemp("feature-state")
    cache = os.environ.get("SCICATLIVE_CACHE_DIR", str(Path.home() / ".cache" / "scicatlive"))
    with environment(SCICATLIVE_STATE_DIR=str(state), SCICATLIVE_CACHE_DIR=cache):
        yield state


@pytest.fixture(autouse=True)
def keep_feature_state(feature_state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", str(feature_state))
