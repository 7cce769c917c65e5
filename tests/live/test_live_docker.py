"""The live path on a real stack: `lite-live` (the follow feature's sync service), seeded with
``tiny``; `simulate` plays a short day at a high rate through mxcubecore's adapter while the
sync service is restarted once; at the end SciCat holds exactly the collections and
processing runs ISPyB holds, `status` shows the follower's lag, and `check` passes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scicatlive import Stack
from scicatlive.cli.app import app
from scicatlive.engine import Engine
from scicatlive.simulate import SimulationOptions, parse_duration, parse_rate
from tests.live.helpers import (
    datasets,
    feed_head,
    ispyb_admin,
    ispyb_total,
    scicat_admin,
    wait_until,
)
from tests.support import docker_engine, environment

pytestmark = pytest.mark.docker
STACK = "hl-live"
STATE: dict[str, str] = {}  # the module stack's state directory (each test gets an isolated one)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return docker_engine()


@pytest.fixture(scope="module")
def stack(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    STATE["dir"] = str(tmp_path_factory.mktemp("hl-state"))
    with environment(SCICATLIVE_STATE_DIR=STATE["dir"]):
        handle = Stack("lite-live", name=STACK, port_offset="auto", engine=engine)
        try:
            handle.up(timeout=900, seed="tiny")
            yield handle
        finally:
            handle.down(volumes=True)


def _caught_up(stack: Stack) -> bool:
    """The follower has loaded everything ISPyB's feed holds now (its own head may be a poll old)."""
    head = feed_head(stack.target)
    state = stack.follow_state()
    return state is not None and state.phase == "following" and state.position >= head


def test_a_simulated_day_reaches_scicat_exactly(stack: Stack, engine: Engine, mxcube_python: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", STATE["dir"])
    assert {s.name: s.ready for s in stack.status()}["sync"]
    wait_until(lambda: _caught_up(stack), timeout=120, what="the sync service catching up with the seed")
    # A short, fast day keeps CI's budget: 30 collections, the follower restarted after the first.
    options = SimulationOptions(beamline="BioMAX", rate_per_minute=parse_rate("45/min"),
                                duration_seconds=parse_duration("40s"), seed=16, mxcube_python=mxcube_python)  # fmt: skip
    restarted = threading.Event()

    def restart_the_follower(message: str) -> None:
        if "as data collection" in message and not restarted.is_set():
            restarted.set()
            engine.cli("restart", f"{stack.project}-sync-1", action="restart the sync service")

    report = stack.simulate(options, on_event=restart_the_follower)
    assert restarted.is_set() and len(report.collections) == options.collections
    wait_until(lambda: _caught_up(stack), timeout=120, what="the follower loading the day")
    with ispyb_admin(stack.target) as ispyb, scicat_admin(stack.target) as scicat:
        assert len(datasets(scicat, type="raw")) == ispyb_total(ispyb, "datacollections")
        assert len(datasets(scicat, type="derived")) == ispyb_total(ispyb, "processings/auto-integrations")
        raw_names = {d["datasetName"] for d in datasets(scicat, type="raw", proposalId=report.proposal)}
    assert {c.natural_key.rsplit("/", 1)[1] for c in report.collections} <= raw_names
    state = stack.follow_state()
    assert state is not None and state.lag("raw").count >= len(report.collections) // 2

    shown = CliRunner().invoke(app, ["status", "--stack", STACK])
    assert shown.exit_code == 0 and "follow (sync service): following" in shown.stdout, shown.stdout
    assert "lag p50" in shown.stdout

    monkeypatch.setenv("SCICATLIVE_MXCUBE_PYTHON", str(mxcube_python))
    checked = stack.check()  # the whole suite: a few seconds on this stack
    assert checked.ok, [(r.id, r.message) for r in checked.failed]
    results = {r.id: r for r in checked.results}
    assert results["sync.follow"].status.value == "passed" and "the stack's follow feature" in results["sync.follow"].message
    assert results["ispyb.mxcube-write"].status.value == "passed"
