"""Docker tests of the feature services: one `lite-all` stack, started once for the module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scicatlive.engine import Engine
from tests.support import docker_engine


@pytest.fixture(scope="session")
def engine() -> Engine:
    return docker_engine()


@pytest.fixture(scope="session")
def feature_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A state directory the module-scoped stacks share across tests."""
    previous = {k: os.environ.get(k) for k in ("SCICATLIVE_STATE_DIR", "SCICATLIVE_CACHE_DIR")}
    state = tmp_path_factory.mktemp("feature-state")
    os.environ["SCICATLIVE_STATE_DIR"] = str(state)
    os.environ.setdefault("SCICATLIVE_CACHE_DIR", str(Path.home() / ".cache" / "scicatlive"))
    yield state
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def keep_feature_state(feature_state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", str(feature_state))
