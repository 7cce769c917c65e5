"""The live path's parts without servers: options, the follower's state and bookkeeping, comparing
records, the sync service's settings and its place in a profile."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scicatlive.cli.app import app
from scicatlive.errors import ConfigError
from scicatlive.simulate import SimulationOptions, parse_duration, parse_rate
from scicatlive.sync.apply import differences, holds
from scicatlive.sync.changed import Change, ChangePage, ProposalChanges, by_proposal
from scicatlive.sync.follow_state import FollowState, LagSummary, StateFile, percentile

runner = CliRunner()


@pytest.mark.parametrize(("text", "per_minute"), [("2/min", 2.0), ("30/h", 0.5), ("1/s", 60.0), ("0.5/min", 0.5),
                                                  ("60 / minute", 60.0), ("120/hours", 2.0)])  # fmt: skip
def test_rates(text: str, per_minute: float) -> None:
    assert parse_rate(text) == pytest.approx(per_minute)


@pytest.mark.parametrize(("text", "reason"), [
    ("2/day", "is not a rate like 2/min"), ("fast", "is not a rate"), ("/min", "is not a rate"),
    ("-2/min", "is not a rate"), ("0/min", "collects nothing"), ("11/s", "more than 600/min"),
])  # fmt: skip
def test_bad_rates_name_the_option(text: str, reason: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_rate(text)
    assert raised.value.location == "--rate" and reason in raised.value.reason


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("1h30m", 5400), ("90s", 90), ("0.5h", 1800), ("2m 30s", 150)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "reason"), [
    ("10", "is not a duration like 30m"), ("30 minutes", "is not a duration"), ("", "is not a duration"),
    ("m30", "is not a duration"), ("0s", "no time at all"), ("200h", "longer than a week"),
])  # fmt: skip
def test_bad_durations_name_the_option(text: str, reason: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_duration(text)
    assert raised.value.location == "--duration" and reason in raised.value.reason


def test_a_day_holds_rate_times_duration_collections() -> None:
    day = SimulationOptions(beamline="BioMAX", rate_per_minute=2, duration_seconds=1800)
    assert (day.collections, day.interval) == (60, 30.0)
    assert SimulationOptions(beamline="BioMAX", rate_per_minute=1, duration_seconds=10).collections == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--rate", "2/day"], "--rate: '2/day' is not a rate like 2/min, 30/h or 1/s"),
    (["--duration", "ten"], "--duration: 'ten' is not a duration like 30m, 1h30m or 90s"),
    (["--ispyb-url", "http://127.0.0.1:9", "--stack", "x"], "--ispyb-url: plays on the ISPyB it names"),
    (["--ispyb-url", "http://127.0.0.1:9"], "--password: playing on --ispyb-url needs ingestor's password"),
    (["--ispyb-url", "http://127.0.0.1:9", "--password", "pw", "--mxcube-python", "/nowhere/python"],
     "--mxcube-python: no python of mxcubecore's virtualenv at /nowhere/python"),
])  # fmt: skip
def test_simulate_refuses_bad_input_in_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", "--beamline", "BioMAX", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("option", [["--poll", "5"], ["--restart"], ["--until-idle"], ["--state-file", "x.json"]])
def test_follow_options_need_follow(option: list[str]) -> None:
    result = runner.invoke(app, ["sync", *option])
    assert result.exit_code == 2 and f"{option[0]}: only goes with --follow" in result.output


def test_a_follower_retries_without_a_deadline() -> None:
    result = runner.invoke(app, ["sync", "--follow", "--retry-seconds", "5"])
    assert result.exit_code == 2 and "--retry-seconds: does not go with --follow" in result.output


def test_status_finds_a_follower_run_from_here() -> None:
    from scicatlive.sync.follow_status import stack_follow_state

    assert stack_follow_state("hl-status", []) is None
    file = StateFile.for_stack("hl-status")
    state = file.load("http://s", "http://i")
    state.phase, state.heartbeat, state.head, state.position = "following", datetime.now(UTC), 9, 7
    file.save(state)
    found = stack_follow_state("hl-status", [])
    assert found is not None and found[0] == "sync --follow" and found[1].behind == 2


def test_percentiles_are_observed_values() -> None:
    values = sorted([0.4, 1.0, 1.2, 0.9, 3.5, 1.1, 0.8, 0.7, 1.3, 9.0])
    assert percentile(values, 50) == 1.0 and percentile(values, 95) == 9.0
    assert LagSummary.of([]).count == 0 and LagSummary.of([2.0]).p95 == 2.0


def test_the_state_keeps_a_window_of_lags_and_the_last_failures() -> None:
    state = FollowState(backend_url="http://s", ispyb_url="http://i")
    state.note_lags("raw", [float(v) for v in range(700)])
    assert len(state.lag_samples["raw"]) == 500 and state.lag("raw").max == 699.0
    for number in range(30):
        state.note_failure(f"problem {number}")
    assert len(state.failures) == 20 and state.failures[-1].endswith("problem 29")
    state.count("raw datasets", 2)
    state.count("raw datasets", 0)
    assert state.loaded == {"raw datasets": 2}


def test_a_follower_is_alive_while_it_beats() -> None:
    state = FollowState(backend_url="http://s", ispyb_url="http://i", phase="following", position=40, head=42)
    assert not state.alive()
    state.heartbeat = datetime.now(UTC)
    assert state.alive() and state.summary()["phase"] == "following" and state.behind == 2
    assert not state.alive(datetime.now(UTC) + timedelta(minutes=5))
    state.phase = "stopped"
    assert not state.alive() and "stopped: position 40 of 42 (2 behind)" in state.describe()


def test_state_files_belong_to_one_pair_of_urls(tmp_path: Path) -> None:
    file = StateFile(tmp_path / "follow.json")
    state = file.load("http://scicat", "http://ispyb")
    assert (state.cursor, state.epoch) == ("0", None)
    state.cursor, state.epoch = "41:dc:9", "e1"
    file.save(state)
    assert file.load("http://scicat", "http://ispyb").cursor == "41:dc:9"
    assert oct(file.path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(ConfigError) as raised:
        file.load("http://other", "http://ispyb")
    assert "this state follows http://ispyb into http://scicat" in raised.value.reason
    file.path.write_text("{not json")
    with pytest.raises(ConfigError) as damaged:
        file.load("http://scicat", "http://ispyb")
    assert "damaged follower state" in damaged.value.reason and damaged.value.hint


def test_state_files_of_remote_targets_differ_by_their_urls() -> None:
    assert StateFile.for_target("http://a", "http://b").path != StateFile.for_target("http://a", "http://c").path


def _change(position: int, kind: str, entity: int, proposal: str = "MX1", dc: int | None = None) -> Change:
    return Change(position=position, type=kind, id=entity, sessionId=1, proposal=proposal,  # type: ignore[arg-type]
                  dataCollectionId=dc if dc is not None else (entity if kind == "dc" else None))  # fmt: skip


def test_changes_are_grouped_by_proposal_in_order_and_split_one_by_one() -> None:
    grouped = by_proposal([_change(1, "session", 5), _change(2, "dc", 7), _change(2, "dc", 8, "MX2"),
                           _change(3, "processing", 11, dc=7)])  # fmt: skip
    assert [g.proposal for g in grouped] == ["MX1", "MX2"]
    first = grouped[0]
    assert (first.sessions, first.collections, first.programs) == ({5}, {7}, {11: 7})
    assert first.involved_collections == {7} and len(first) == 3
    assert first.describe() == "MX1: 1 session, 1 collection, 1 processing run"
    parts = first.split()
    assert [len(p) for p in parts] == [1, 1, 1] and parts[2].programs == {11: 7}
    assert ProposalChanges("MX3", collections={1, 2}).describe() == "MX3: 2 collections"


def test_records_hold_what_was_mapped_with_the_backends_spelling() -> None:
    mapped = {"pid": "p/1", "sourceFolder": "/data/x/", "creationTime": "2026-11-30T10:00:00Z",
              "scientificMetadata": {"wavelength": {"value": 1.11157, "unit": "angstrom"}},
              "keywords": ["MX", "OSC"], "isPublished": False, "size": 3}  # fmt: skip
    found = {"pid": "p/1", "sourceFolder": "/data/x", "creationTime": "2026-11-30T10:00:00.000Z",
             "scientificMetadata": {"wavelength": {"value": 1.111567, "unit": "angstrom", "valueSI": 1.1e-10}},
             "keywords": ["MX", "OSC"], "isPublished": True, "size": 3.0}  # fmt: skip
    assert differences(mapped, found) == {}
    found["keywords"] = ["MX"]
    found["scientificMetadata"]["wavelength"]["value"] = 1.2  # type: ignore[index]
    assert set(differences(mapped, found)) == {"keywords", "scientificMetadata"}
    assert not holds(True, 1) and not holds("2026-11-30T10:00:00Z", "2026-11-30T10:00:01Z")
    assert not holds({"a": 1}, None) and not holds([1, 2], [1])


def test_a_bulk_load_waits_while_live_writes_go_ahead() -> None:
    from scicatlive.sync.follow import BULK_SETTLE, _Follower

    follower = _Follower.__new__(_Follower)
    follower.state = FollowState(backend_url="http://s", ispyb_url="http://i")
    follower.first_head, follower.first_seen = 10, {}
    live = [_change(11, "dc", 1), _change(12, "processing", 2, dc=1)]
    bulk = [_change(13, kind, n) for kind, n in (("session", 3), ("dc", 4), ("dc", 5), ("processing", 6))]
    page = ChangePage(total=6, results=[*live, *bulk], next="13:processing:6", head=13, epoch="e")
    ready = follower.settled(page)
    assert ready is not None and [c.id for c in ready.results] == [1, 2] and ready.next == "12:processing:2"
    follower.state.position = 12
    assert follower.settled(page.model_copy(update={"results": bulk})) is None
    follower.first_seen[13] -= BULK_SETTLE
    assert follower.settled(page.model_copy(update={"results": bulk})) is not None
    follower.first_head = 13  # already in the feed when the follower started: no wait
    follower.first_seen = {}
    assert follower.settled(page.model_copy(update={"results": bulk})) is not None


def test_the_sync_service_settings_name_the_variable() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "sync" / "src"))
    from follow_service.settings import Settings, SettingsError

    base = {"SCICAT_URL": "http://scicat-lite:3000", "ISPYB_URL": "http://ispyb-mock:8000", "SYNC_PASSWORD": "pw"}
    settings = Settings.from_env(base | {"POLL_SECONDS": "2.5"})
    assert settings.poll_seconds == 2.5 and settings.account == "admin" and settings.port == 8095
    for env, message in (({**base, "SYNC_PASSWORD": ""}, "SYNC_PASSWORD is required"),
                         ({**base, "POLL_SECONDS": "soon"}, "POLL_SECONDS is invalid"),
                         ({**base, "SCICAT_URL": "scicat-lite"}, "SCICAT_URL is invalid"),
                         ({**base, "SAMPLE_LAYOUT": "tree"}, "SAMPLE_LAYOUT is invalid")):  # fmt: skip
        with pytest.raises(SettingsError, match=message):
            Settings.from_env(env)


def test_the_follow_feature_runs_the_sync_service_logged_in_as_admin() -> None:
    from scicatlive.handle import Stack

    stack = Stack("lite-live", name="hl-units", port_offset=19000)
    sync = stack.resolved.services["sync"]
    assert "follow" in stack.resolved.profile.features
    assert sync.environment["SCICAT_URL"] == "${backend.url}" and sync.environment["SYNC_ACCOUNT"] == "admin"
    assert [p.host for p in sync.ports] == [8095 + 19000]
    assert any(target == "/opt/scicatlive/scicatlive" for _, target in sync.host_mounts)
    assert "sync" not in Stack("lite", name="hl-units2", port_offset=19000).resolved.services


def test_a_target_follows_when_its_feature_or_a_live_follower_says_so(tmp_path: Path) -> None:
    from scicatlive.checks.live import following
    from scicatlive.clients.target import Target

    target = Target(backend_url="http://127.0.0.1:1", ispyb_url="http://127.0.0.1:2")
    assert following(target) is None
    file = StateFile.for_target(target.backend_url, "http://127.0.0.1:2")
    state = file.load(target.backend_url, "http://127.0.0.1:2")
    state.phase, state.heartbeat = "following", datetime.now(UTC)
    file.save(state)
    assert following(target) == "scicatlive sync --follow"
    state.phase = "stopped"
    file.save(state)
    assert following(target) is None
    assert json.loads(file.path.read_text())["phase"] == "stopped"


def test_an_unexpected_error_in_one_change_is_isolated_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug met by one record (not a service error) skips that record, with its traceback in the log."""
    import asyncio

    from scicatlive.sync import follow as follow_module
    from scicatlive.sync.apply import Applied
    from scicatlive.sync.follow import FollowReport, _Follower

    async def load(self: _Follower, changed: ProposalChanges) -> Applied:
        if 8 in changed.collections:
            raise KeyError("imageDirectory")
        applied = Applied()
        applied.created["raw datasets"] += len(changed.collections)
        return applied

    monkeypatch.setattr(_Follower, "_read_and_load", load)
    follower = _Follower.__new__(_Follower)
    follower.state = FollowState(backend_url="http://s", ispyb_url="http://i")
    follower.report = FollowReport(follower.state)
    applied = asyncio.run(follower._apply(ProposalChanges("MX1", collections={7, 8, 9})))
    assert applied.created["raw datasets"] == 2 and follower.report.failed == 1
    assert follower.state.loaded == {"skipped": 1} and "MX1: 1 collection: KeyError: 'imageDirectory'" in follower.state.failures[-1]
    assert follow_module.Transient("x").relogin is False


def test_a_slot_listed_twice_holds_the_puck_ispyb_resolves_it_to() -> None:
    from scicatlive.simulate.beamline import in_changer

    def puck(container_id: int, slot: str, status: str) -> dict[str, object]:
        return {"containerId": container_id, "sampleChangerLocation": slot, "Dewar": {"dewarStatus": status}}

    # two recipes in one stack: slot 3 lists two pucks of the proposal
    held = in_changer([puck(7, "3", "processing"), puck(9, "3", "processing"), puck(8, "4", "processing"),
                       puck(12, "4", "at facility")])  # fmt: skip
    assert sorted(p["containerId"] for p in held) == [8, 9]  # processing first, then the newest
