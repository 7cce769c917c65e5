"""A new user's first run: `up` seeds a new stack with its profile's recipe once; a stopped database fails fast."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from scicatlive import Stack
from scicatlive.cli import app
from scicatlive.engine import Engine
from tests.integration.conftest import leftovers, nothing_left
from tests.unit.helpers import write_profile

pytestmark = pytest.mark.docker
STACK = "it-first"
runner = CliRunner()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    # lite names `demo`; the same mechanism with `tiny` keeps this test short.
    return write_profile(tmp_path, "first", "extends: lite\nseed: tiny\n")


@pytest.fixture
def cleanup(engine: Engine) -> Iterator[None]:
    yield
    runner.invoke(app, ["down", "--stack", STACK, "--volumes"])
    assert nothing_left(engine, f"scicatlive-{STACK}"), leftovers(engine, f"scicatlive-{STACK}")


def _datasets(stack: Stack) -> int:
    target = stack.target
    with httpx.Client(base_url=target.backend_url, timeout=30) as client:
        token = client.post("/api/v3/auth/login", json={"username": "admin", "password": target.password("admin")}).json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        return int(client.get("/api/v3/datasets/count").json()["count"])


def test_the_first_up_seeds_the_profile_recipe_and_later_ups_do_not(profile: Path, cleanup: None) -> None:
    first = runner.invoke(app, ["up", "--profile", str(profile), "--stack", STACK, "--port-offset", "auto", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["seeded"] == "tiny"
    stack = Stack.existing(STACK)
    seeded = _datasets(stack)
    assert seeded > 0
    status = runner.invoke(app, ["status", "--stack", STACK])
    assert "holds: tiny" in status.stdout
    again = runner.invoke(app, ["up", "--profile", str(profile), "--stack", STACK, "--port-offset", "auto", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["seeded"] is None
    assert _datasets(stack) == seeded


def test_no_seed_starts_a_new_stack_empty(profile: Path, cleanup: None) -> None:
    result = runner.invoke(app, ["up", "--profile", str(profile), "--stack", STACK, "--port-offset", "auto", "--no-seed", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["seeded"] is None
    assert _datasets(Stack.existing(STACK)) == 0
    assert "holds:" not in runner.invoke(app, ["status", "--stack", STACK]).stdout
    both = runner.invoke(app, ["up", "--stack", STACK, "--seed", "tiny", "--no-seed"])
    assert both.exit_code == 2 and "--no-seed: contradicts --seed" in both.stderr


def test_a_stopped_database_makes_seed_fail_within_its_budget(profile: Path, engine: Engine, cleanup: None) -> None:
    assert runner.invoke(app, ["up", "--profile", str(profile), "--stack", STACK, "--port-offset", "auto", "--no-seed"]).exit_code == 0
    stack = Stack.existing(STACK)
    engine.cli("stop", f"{stack.project}-postgres-1", action="stopping the database")
    started = time.monotonic()
    # The default budget is 60 s (tests/unit/test_cli.py); a short one keeps CI's clock.
    result = runner.invoke(app, ["seed", "tiny", "--stack", STACK, "--no-cache", "--retry-seconds", "15"])
    elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert "SciCat at http://127.0.0.1:" in message and "did not answer within" in message, message
    assert "scicatlive status" in message and "Traceback" not in result.output
    assert message.count("error:") == 1
    # The clients give up after their budget (the first attempt may add one timeout).
    assert elapsed < 50, elapsed
