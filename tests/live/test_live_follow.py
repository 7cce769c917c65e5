"""The follower against a real scicat-lite and ISPyB mock: it catches up with a seed without
changing it, resumes where it stopped, starts again on a replaced database, waits out a
backend that stops answering, and skips (reporting it) a row it cannot map."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from scicatlive.checks import Selection, run_checks
from scicatlive.cli.app import app
from scicatlive.clients.http import Session
from scicatlive.clients.ispyb import SERVICE, login
from scicatlive.clients.target import Target
from scicatlive.mapping import Identifiers
from scicatlive.seeding.recipe import load_recipe
from scicatlive.simulate.beamline import BeamlineDay, prepare
from scicatlive.simulate.direct import write_collection
from scicatlive.sync.follow import FollowOptions, follow
from scicatlive.sync.follow_state import StateFile
from tests.live.helpers import (
    dataset,
    datasets,
    following,
    ispyb_admin,
    ispyb_total,
    scicat_admin,
    wait_until,
)

pytestmark = pytest.mark.database
UNTIL_IDLE = FollowOptions(until_idle=True)


@contextmanager
def _ispyb(target: Target) -> Iterator[Session]:
    with Session(target.ispyb_url or "", service=SERVICE) as ispyb:
        ispyb.login(login("admin", target.password("admin")))
        yield ispyb


def _write(target: Target, **columns: Any) -> str:
    """A new collection through ISPyB's own routes; its raw dataset's pid."""
    with _ispyb(target) as ispyb:
        day: BeamlineDay = prepare(ispyb, "BioMAX", None)
        collection, _ = write_collection(ispyb, day, load_recipe("tiny"), **columns)
    return Identifiers(target.site, target.seeding_pid_prefix).raw_dataset(collection)


def _assert_consistent(target: Target) -> None:
    report = run_checks(target, Selection.parse(only=["consistency"]))
    assert not report.failed, [(r.id, r.message) for r in report.failed]


def test_catching_up_with_a_seed_changes_nothing(live_target: Target, tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "follow.json")
    report = follow(live_target, state_file, UNTIL_IDLE)
    state = state_file.read()
    assert state is not None and state.phase == "stopped" and state.epoch
    assert (state.position, state.behind, report.failed) == (state.head, 0, 0)
    assert not report.applied.created["raw datasets"] and not sum(report.applied.updated.values()), report.applied
    again = follow(live_target, state_file, UNTIL_IDLE)
    assert again.pages == 1 and not sum(again.applied.created.values())


def test_a_restarted_follower_loads_what_was_written_meanwhile_exactly_once(live_target: Target, tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "follow.json")
    follow(live_target, state_file, UNTIL_IDLE)
    pids = [_write(live_target) for _ in range(3)]
    with scicat_admin(live_target) as scicat:
        assert not any(dataset(scicat, pid) for pid in pids)
        resumed = follow(live_target, state_file, UNTIL_IDLE)
        assert resumed.applied.created["raw datasets"] == 3
        assert all(dataset(scicat, pid) for pid in pids)
        with ispyb_admin(live_target) as ispyb:
            assert len(datasets(scicat, type="raw")) == ispyb_total(ispyb, "datacollections")
    from_scratch = follow(live_target, StateFile(tmp_path / "other.json"), UNTIL_IDLE)
    assert not sum(from_scratch.applied.created.values()) and not sum(from_scratch.applied.updated.values())
    _assert_consistent(live_target)


@pytest.mark.parametrize("recorded", [{"epoch": "a-database-long-gone"}, {"position": 10**6, "cursor": str(10**6)}])
def test_a_replaced_database_is_followed_again_from_the_start(live_target: Target, tmp_path: Path,
                                                               recorded: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    state_file = StateFile(tmp_path / "follow.json")
    follow(live_target, state_file, UNTIL_IDLE)
    state = state_file.read()
    assert state is not None
    state_file.save(state.model_copy(update={"cursor": str(state.head)} | recorded))
    pid = _write(live_target)
    caplog.set_level("WARNING", logger="scicatlive.sync.follow")
    report = follow(live_target, state_file, UNTIL_IDLE)
    assert "ISPyB's database was replaced" in caplog.text and "following it again from position 0" in caplog.text
    assert report.applied.created["raw datasets"] == 1 and report.state.position == report.state.head
    with scicat_admin(live_target) as scicat:
        assert dataset(scicat, pid)


class _Outage(httpx.AsyncBaseTransport):
    """The network to one host:port fails while ``down`` (the backend being restarted)."""

    def __init__(self, port: int) -> None:
        self.port, self.down = port, False
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.url.port == self.port:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_backend_that_stops_answering_is_waited_out_without_losing_a_change(live_target: Target, tmp_path: Path) -> None:
    outage = _Outage(httpx.URL(live_target.backend_url).port or 80)
    with following(live_target, StateFile(tmp_path / "follow.json"), transport=outage) as follower:
        wait_until(follower.caught_up, what="catching up")
        outage.down = True
        pid = _write(live_target)
        retrying = wait_until(lambda: follower.state.phase == "retrying" and follower.state, what="the follower retrying")
        assert "SciCat" in (retrying.last_error or "") and retrying.behind > 0
        position = follower.state.position
        outage.down = False
        wait_until(follower.caught_up, what="loading after the outage")
        assert follower.state.position > position and follower.state.last_error is None
    with scicat_admin(live_target) as scicat:
        assert dataset(scicat, pid)
    _assert_consistent(live_target)


def test_a_row_that_cannot_be_mapped_is_reported_and_the_rest_loaded(scratch_target: Target, tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "follow.json")
    follow(scratch_target, state_file, UNTIL_IDLE)
    bad = _write(scratch_target, slitGapHorizontal=None, undulatorGap1=None)
    good = _write(scratch_target)
    report = follow(scratch_target, state_file, UNTIL_IDLE)
    assert report.applied.created["raw datasets"] == 1 and report.failed == 1
    state = state_file.read()
    assert state is not None and state.loaded.get("skipped") == 1 and state.position == state.head
    assert "1 collection" in state.failures[-1] and "slitGapHorizontal" in state.failures[-1]
    with scicat_admin(scratch_target) as scicat:
        assert dataset(scicat, good) and not dataset(scicat, bad)


def test_sync_follow_on_the_command_line(live_target: Target, tmp_path: Path) -> None:
    state = tmp_path / "cli.json"
    base = ["sync", "--backend-url", live_target.backend_url, "--ispyb-url", live_target.ispyb_url or "",
            "--password", live_target.password("admin"), "--state-file", str(state)]  # fmt: skip
    result = CliRunner().invoke(app, [*base, "--follow", "--until-idle", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["phase"] == "stopped" and shown["position"] == shown["head"] and shown["skipped"] == 0
    wrong = CliRunner().invoke(app, [*base[:-4], "--password", "wrong", "--state-file", str(state), "--follow", "--until-idle"])
    assert wrong.exit_code == 2 and "--account: log in to ISPyB as admin: 401" in wrong.output, wrong.output
