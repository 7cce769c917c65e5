"""Docker integration tests: a real engine, real images, real containers."""

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


@pytest.fixture(scope="session", autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Wheelhouses and work dirs survive across the session (and runs, if set)."""
    cache = os.environ.get("SCICATLIVE_CACHE_DIR", str(Path.home() / ".cache" / "scicatlive"))
    with environment(SCICATLIVE_CACHE_DIR=cache):
        yield


def leftovers(engine: Engine, project: str) -> dict[str, list[str]]:
    """Everything compose created for a project that still exists."""
    client = engine.client()
    label = f"com.docker.compose.project={project}"
    return {
        "containers": [c.name for c in client.container.list(all=True, filters={"label": label})],
        "networks": [n.name for n in client.network.list(filters={"label": label})],
        "volumes": [v.name for v in client.volume.list(filters={"label": label})],
    }


def nothing_left(engine: Engine, project: str) -> bool:
    return not any(leftovers(engine, project).values())


@pytest.fixture(scope="session", autouse=True)
def session_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One state directory for the session, set before module fixtures start stacks."""
    state = tmp_path_factory.mktemp("integration-state")
    with environment(SCICATLIVE_STATE_DIR=str(state)):
        yield state


@pytest.fixture(autouse=True)
def shared_state(isolated_dirs: Path, session_state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stacks outlive one test (module fixtures), so their state must too."""
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", str(session_state))
