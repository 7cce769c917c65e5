"""Docker tests of the feature services: one `lite-all` stack, started once for the module."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scicatlive.engine import Engine
from tests.support import docker_engine

sys.path.insert(0, str(Path(__file__).parent))

STACK = "hf-features"
PORT_OFFSET = 14000


@dataclass(frozen=True)
class RunningStack:
    name: str
    project: str
    state: Path
    secrets: dict[str, str]

    def password(self, username: str) -> str:
        return self.secrets[f"account.{username}"]

    def file(self, service: str, name: str) -> Path:
        return self.state / "files" / service / name


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


def running(name: str, project: str, state_root: Path) -> RunningStack:
    root = state_root / "stacks" / name
    secrets = json.loads((root / "secrets.json").read_text())
    return RunningStack(name, project, root, secrets)
