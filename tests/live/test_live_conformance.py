"""Conformance of the live path: mxcubecore's own adapter writes into the ISPyB mock (every call,
keycloak login and refresh), and the follow-sync puts what it wrote into SciCat with the
mapping's fields; bad input gets py-ISPyB's 4xx naming the field, and nothing reaches SciCat."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from scicatlive.checks import Selection, Status, run_checks
from scicatlive.clients.http import Session
from scicatlive.clients.ispyb import SERVICE, login
from scicatlive.clients.target import Target
from scicatlive.domain.derive import image_files
from scicatlive.errors import ConfigError
from scicatlive.mapping import Identifiers
from scicatlive.seeding.recipe import load_recipe
from scicatlive.simulate import SimulationOptions, simulate_target
from scicatlive.simulate.beamline import BeamlineDay, prepare, register_detector
from scicatlive.simulate.driver import driver_source
from scicatlive.simulate.values import DayValues, processing_body
from scicatlive.sync.follow_state import StateFile
from tests.live.helpers import dataset, datasets, following, ispyb_admin, scicat_admin, wait_until
from tests.services.ispyb_mock.harness import OidcProvider

pytestmark = pytest.mark.database

sys.path.insert(0, str(driver_source()))
from mxcube_driver.host import play, step
from mxcube_driver.plan import BeamlineConfig, Connection, Mount

CONFIG = {"synchrotron_name": "SciCat Live Light Source", "detector_manufacturer": "DECTRIS",
          "undulators": ["IVU18"], "focusing_optic": "KB mirrors", "monochromator_type": "Si(111)"}  # fmt: skip


def _day(target: Target) -> BeamlineDay:
    with Session(target.ispyb_url or "", service=SERVICE) as ispyb:
        ispyb.login(login("admin", target.password("admin")))
        day = prepare(ispyb, "BioMAX", None)
        register_detector(ispyb, day.beamline.detector, "BioMAX")
    return day


def _connection(target: Target, oidc: OidcProvider) -> Connection:
    return Connection(rest_root=f"{target.ispyb_url}/ispyb/api/v1/", beamline="BioMAX", token=oidc.token("ingestor"))


def _by_call(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["call"]: record for record in records}


def test_every_mxcube_call_then_the_follower_maps_the_collection(
    live_target: Target, oidc: OidcProvider, mxcube_python: Path, tmp_path: Path
) -> None:
    day = _day(live_target)
    values = DayValues(load_recipe("tiny"), day, seed=20261130)
    sample = day.samples[0]
    collection = values.collection(sample, "OSC", 1 + int(time.time()) % 1000)
    config = BeamlineConfig(**CONFIG, detector_model=day.beamline.detector.model)
    state_file = StateFile.for_target(live_target.backend_url, live_target.ispyb_url or "")
    code, number = day.code, day.number
    with following(live_target, state_file) as follower:
        wait_until(follower.caught_up, what="the follower catching up with the seed")
        records = _by_call(list(play(mxcube_python, _connection(live_target, oidc), [
            step("login"), step("current_user"), step("proposals"), step("find_proposal", code=code, number=number),
            step("sessions", code=code, number=number), step("sessions_today", code=code, number=number),
            step("samples", proposal_id=day.proposal_id),
            step("create_session", proposal_id=day.proposal_id, code=code, number=number, title=day.title),
            step("find_detector", manufacturer="dectris", model=day.beamline.detector.model, mode=""),
        ])))  # fmt: skip
        session_id = int(records["create_session"]["result"]["session_id"])
        parameters = values.driver_collection(sample, collection, session_id, "OSC")
        later = _by_call(list(play(mxcube_python, _connection(live_target, oidc), [
            step("login"), step("session", session_id=session_id),
            step("beamline_setup", session_id=session_id, config=config),
            step("mount", Mount(session_id, sample.puck_slot, sample.position, sample.sample_id, sample.code)),
            step("collect", config=config, **parameters),
            step("energy_scan", **values.energy_scan(sample, session_id)),
            step("xrf_spectrum", session_id=session_id, sample_id=sample.sample_id, energy=13.5, exposure_time=2.0,
                 transmission=5.0),
            step("refresh"),
        ])))  # fmt: skip
        records |= later
        failed = {name: (r.get("error"), r["failures"]) for name, r in records.items() if not r["ok"]}
        assert not failed, json.dumps(failed, indent=1)[:3000]
        assert records["refresh"]["result"] == {"refreshed": True, "login": "ingestor"}
        dc_id = int(records["collect"]["result"]["dataCollectionId"])
        reread = _by_call(list(play(mxcube_python, _connection(live_target, oidc), [
            step("login"), step("data_collection", collection_id=dc_id)])))  # fmt: skip
        assert reread["data_collection"]["ok"] and reread["data_collection"]["result"]["endTime"]
        with ispyb_admin(live_target) as ispyb:
            for program in collection.autoProcPrograms:
                body = processing_body(program, dc_id, collection.endTime, collection.endTime)
                ispyb.post("/processings/auto-integrations", json=body).raise_for_status()
            row = ispyb.get(f"/datacollections/{dc_id}").raise_for_status().json()
        ids = Identifiers(live_target.site, live_target.seeding_pid_prefix)
        with scicat_admin(live_target) as scicat:
            raw = wait_until(lambda: dataset(scicat, ids.raw_dataset(collection)), what="the raw dataset in SciCat")
            derived = wait_until(lambda: len(datasets(scicat, inputDatasets=raw["pid"])) == len(collection.autoProcPrograms)
                                 and datasets(scicat, inputDatasets=raw["pid"]), what="the derived datasets")  # fmt: skip
            blocks = scicat.get(f"/datasets/{raw['pid'].replace('/', '%2F')}/origdatablocks").json()
            proposal = scicat.get(f"/proposals/{day.proposal}").json()
    _assert_mapped(live_target, day, sample, row, raw, derived, blocks, proposal, collection)
    assert follower.state.lag("raw").count >= 1 and follower.state.lag("raw").p50 is not None
    report = run_checks(live_target, Selection.parse(only=["consistency"]))
    assert not report.failed, [(r.id, r.message) for r in report.failed]


def _assert_mapped(target: Target, day: BeamlineDay, sample: Any, row: dict[str, Any], raw: dict[str, Any],
                   derived: list[dict[str, Any]], blocks: list[dict[str, Any]], proposal: dict[str, Any],
                   collection: Any) -> None:  # fmt: skip
    """The raw dataset carries the mapping's fields, as docs/mapping.md gives them."""
    ids = Identifiers(target.site, target.seeding_pid_prefix)
    meta = raw["scientificMetadata"]
    assert raw["datasetName"] == f"{row['imagePrefix']}_{row['dataCollectionNumber']}"
    assert raw["sourceFolder"].rstrip("/") == row["imageDirectory"].rstrip("/")
    assert raw["proposalId"] == day.proposal and raw["ownerGroup"] == day.proposal.lower()
    assert raw["sampleId"] == ids.crystal_sample(sample.container_barcode, sample.position)
    assert raw["creationLocation"] == f"/{target.site}/BioMAX" and "biomax" in raw["accessGroups"]
    for name in ("wavelength", "numberOfImages", "axisStart", "axisEnd", "exposureTime", "detectorDistance",
                 "resolution", "resolutionAtCorner", "kappaStart", "omegaStart", "undulatorGap1", "slitGapHorizontal"):  # fmt: skip
        assert meta[name]["value"] == pytest.approx(row[name], rel=1e-5), name
    assert meta["runStatus"]["value"] == row["runStatus"] == collection.runStatus
    assert meta["experimentType"]["value"] == "OSC" and meta["beamLineName"]["value"] == "BioMAX"
    assert meta["detectorModel"]["value"] == day.beamline.detector.model
    assert meta["energy"]["value"] == pytest.approx(collection.energy, rel=1e-4)
    assert meta["session"]["value"].startswith(f"{day.proposal}-")
    files = sorted(f["path"] for b in blocks for f in b["dataFileList"])
    detector = _detector_model(day)
    assert files == sorted(f.fileName for f in image_files(collection, detector))
    for item in derived:
        assert item["inputDatasets"] == [raw["pid"]] and item["usedSoftware"][0] in {p.processingPrograms for p in collection.autoProcPrograms}
    periods = {p["comment"] for p in proposal["MeasurementPeriodList"]}
    assert meta["session"]["value"] in periods  # the session MXCuBE created reached the proposal


def _detector_model(day: BeamlineDay) -> Any:
    from scicatlive.domain.derive import detector_model

    return detector_model(day.beamline.detector)


def _refusal(record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    text = record.get("error") or " ".join(record["failures"])
    status = int(text.split("failed with code: ")[1].split(".")[0])
    return status, json.loads(text.split(". Response: ", 1)[1])


def test_bad_input_is_refused_with_the_field_and_nothing_reaches_scicat(
    live_target: Target, oidc: OidcProvider, mxcube_python: Path
) -> None:
    day = _day(live_target)
    values = DayValues(load_recipe("tiny"), day, seed=7)
    sample = day.samples[0]
    empty = next(p for p in range(1, 17) if (sample.puck_slot, p) not in {(s.puck_slot, s.position) for s in day.samples})
    collection = values.collection(sample, "OSC", 900)
    with scicat_admin(live_target) as scicat:
        before = len(datasets(scicat))
        with following(live_target, StateFile.for_target(live_target.backend_url, live_target.ispyb_url or "")) as follower:
            records = list(play(mxcube_python, _connection(live_target, oidc), [
                step("login"),
                step("collect", **values.driver_collection(sample, collection, 999_999, "OSC")),
                step("mount", Mount(_a_session(live_target, day), sample.puck_slot, empty, None, "PIN-none")),
            ]))  # fmt: skip
            wait_until(follower.caught_up, what="the follower catching up")
        assert [r["ok"] for r in records] == [True, False, False]
        status, body = _refusal(records[1])
        assert (status, body["field"]) == (422, "sessionId") and "999999" in body["detail"]
        status, body = _refusal(records[2])
        assert (status, body["field"]) == (422, "containerLocation") and "empty" in body["detail"]
        assert len(datasets(scicat)) == before


def _a_session(target: Target, day: BeamlineDay) -> int:
    with ispyb_admin(target) as ispyb:
        sessions = ispyb.get("/sessions", params={"proposal": day.proposal, "beamLineName": "BioMAX"}).json()["results"]
    return int(sessions[0]["sessionId"])


def test_the_checks_write_through_the_adapter_and_see_the_follower(
    live_target: Target, mxcube_python: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCICATLIVE_MXCUBE_PYTHON", str(mxcube_python))
    ids = ["ispyb.mxcube-write", "sync.follow"]
    report = run_checks(live_target, Selection.parse(only=ids))
    statuses = {r.id: r.status for r in report.results}
    assert statuses == {"ispyb.mxcube-write": Status.PASSED, "sync.follow": Status.SKIPPED}, report.results
    assert "feature follow is off" in report.result("sync.follow").message
    assert "mapped into SciCat by the check" in report.result("ispyb.mxcube-write").message
    with following(live_target, StateFile.for_target(live_target.backend_url, live_target.ispyb_url or "")) as follower:
        wait_until(follower.caught_up, what="the follower catching up")
        report = run_checks(live_target, Selection.parse(only=ids))
        assert not report.failed, [(r.id, r.message) for r in report.failed]
        assert "scicatlive sync --follow maps it" in report.result("ispyb.mxcube-write").message
        assert "reached SciCat" in report.result("sync.follow").message
        wait_until(follower.caught_up, what="the follower loading the checks' collections")
    report = run_checks(live_target, Selection.parse(only=["consistency"]))
    assert not report.failed, [(r.id, r.message) for r in report.failed]


def test_mxcube_write_is_skipped_without_mxcubecore_and_fails_in_ci(live_target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICATLIVE_MXCUBE_PYTHON", "/nowhere/bin/python")
    monkeypatch.setenv("CI", "false")
    result = run_checks(live_target, Selection.parse(only=["ispyb.mxcube-write"])).result("ispyb.mxcube-write")
    assert result.status is Status.SKIPPED and "no python of mxcubecore's virtualenv at /nowhere/bin/python" in result.message
    monkeypatch.setenv("CI", "true")
    result = run_checks(live_target, Selection.parse(only=["ispyb.mxcube-write"])).result("ispyb.mxcube-write")
    assert result.status is Status.FAILED and "CI must drive mxcubecore's adapter" in result.message


@pytest.mark.parametrize(("beamline", "proposal", "message"), [
    ("I04", None, "--beamline: ISPyB has no session on beamline 'I04'; beamlines with sessions: BioMAX"),
    ("BioMAX", "MX99999999", "--proposal: no puck of MX99999999 with samples is in the BioMAX sample changer"),
])  # fmt: skip
def test_simulate_names_what_cannot_be_played(live_target: Target, mxcube_python: Path, beamline: str,
                                              proposal: str | None, message: str) -> None:  # fmt: skip
    options = SimulationOptions(beamline=beamline, proposal=proposal, rate_per_minute=60, duration_seconds=1,
                                mxcube_python=mxcube_python)  # fmt: skip
    with ispyb_admin(live_target) as ispyb:
        before = ispyb.get("/changes", params={"limit": "1"}).json()["head"]
        with pytest.raises(ConfigError) as raised:
            simulate_target(live_target, options)
        assert str(raised.value).startswith(message)
        assert ispyb.get("/changes", params={"limit": "1"}).json()["head"] == before  # nothing written
