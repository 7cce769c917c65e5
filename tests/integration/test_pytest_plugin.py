"""The pytest plugin as a new user meets it: a two-test project beside a stack that holds the default ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from scicatlive.engine import Engine
from scicatlive.stack.load import load_stack
from tests.integration.conftest import leftovers, nothing_left

pytestmark = pytest.mark.docker

PROJECT = '''
def test_the_backend_answers(scicat_client):
    assert scicat_client.get("/api/v3/datasets/count").json()["count"] > 0


def test_ispyb_holds_the_seeded_proposals(ispyb_client):
    assert ispyb_client.get("/proposals").json()["total"] > 0
'''


@pytest.fixture
def default_ports_taken() -> Iterator[list[int]]:
    """Every host port of the lite profile, held as a developer's own running stack would hold them."""
    ports = [p.host for s in load_stack("lite").services.values() for p in s.ports if p.host is not None]
    with ExitStack() as held:
        for port in ports:
            listener = held.enter_context(socket.socket())
            listener.bind(("127.0.0.1", port))
            listener.listen()
        yield ports


def test_a_two_test_project_runs_beside_a_stack_on_the_default_ports(
    default_ports_taken: list[int], engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "test_project.py").write_text(PROJECT)
    environment = {**os.environ, "SCICATLIVE_STATE_DIR": str(tmp_path / "state")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "--scicatlive-recipe", "tiny", "--scicatlive-stack", "it-plugin", str(tmp_path)],
        cwd=tmp_path, env=environment, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
    assert "PortConflict" not in result.stdout
    assert nothing_left(engine, "scicatlive-it-plugin"), leftovers(engine, "scicatlive-it-plugin")
