"""The feature stacks' names, ports and state, shared by the Docker tests of this folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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


def running(name: str, project: str, state_root: Path) -> RunningStack:
    root = state_root / "stacks" / name
    secrets = json.loads((root / "secrets.json").read_text())
    return RunningStack(name, project, root, secrets)
