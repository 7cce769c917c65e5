"""Robot actions, energy scans, spectra, detectors, beamline setups and sample centring
over HTTP, rule by rule (the real adapter drives them in test_ispyb_mxcube.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.ispyb_mock.acquisition_world import Api, world

__all__ = ["world"]  # a fixture, used by name

pytestmark = pytest.mark.database


def test_robot_actions_take_a_sample_from_a_puck_position(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    action = {
        "actionType": "LOAD",
        "sessionId": world["session"],
        "dewarLocation": 1,
        "containerLocation": 3,
        "sampleBarcode": "PIN0003",
        "startTimestamp": "2026-03-01 10:00:00",
        "endTimestamp": "",
        "status": "SUCCESS",
    }
    assert api.call(
        "POST", "/events/robot-action", action
    ).isdigit()  # a JSON string, as mxcubecore needs
    robot = api.call("GET", "/events", status=200, eventType="robot")["results"][0]
    assert robot["blSampleId"] == world["samples"][("1", 3)]
    assert robot["Item"]["endTimestamp"] == robot["Item"]["startTimestamp"] == "2026-03-01T10:00:00"
    api.refused(
        "POST", "/events/robot-action", action | {"containerLocation": 12}, 422, "containerLocation"
    )
    api.refused(
        "POST",
        "/events/robot-action",
        action | {"blSampleId": world["samples"][("1", 2)]},
        422,
        "blSampleId",
    )
    api.refused(
        "POST",
        "/events/robot-action",
        action | {"dewarLocation": None, "containerLocation": None},
        422,
        "blSampleId",
    )
    api.refused(
        "POST", "/events/robot-action", action | {"actionType": "JUGGLE"}, 422, "actionType"
    )
    api.refused("POST", "/events/robot-action", action | {"status": "FINE"}, 422, "status")
    api.refused(
        "POST",
        "/events/robot-action",
        action | {"sessionId": world["foreign_session"]},
        422,
        "sessionId",
    )


def test_energy_scans_and_spectra_belong_to_a_sample(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    sample = world["samples"][("2", 1)]
    scan = api.call(
        "POST",
        "/events/energyscan",
        {
            "sessionId": world["session"],
            "element": "Se",
            "edgeEnergy": 12.658,
            "startTime": "2026-03-01 11:00:00",
            "prefix": "ignored",
        },
    )
    body = {"energyScanId": int(scan), "blSampleId": sample}
    link = api.call("PATCH", "/events/energyscan/associate-bl-sample", body, status=200)
    assert api.call("PATCH", "/events/energyscan/associate-bl-sample", body, status=200) == link
    api.refused(
        "PATCH",
        "/events/energyscan/associate-bl-sample",
        body | {"energyScanId": 99999},
        422,
        "energyScanId",
    )
    api.refused(
        "PATCH",
        "/events/energyscan/associate-bl-sample",
        body | {"blSampleId": world["foreign_sample"]},
        422,
        "blSampleId",
    )
    event = api.call("GET", "/events", status=200, eventType="es")["results"][0]
    assert (event["blSampleId"], event["Item"]["sampleIds"], event["Item"]["edgeEnergy"]) == (
        sample,
        [sample],
        "12.658",
    )
    api.call(
        "POST",
        "/events/xfe-fluorescence-spectrum",
        {"sessionId": world["session"], "blSampleId": sample, "energy": 13.5},
    )
    api.refused(
        "POST",
        "/events/xfe-fluorescence-spectrum",
        {"sessionId": world["session"], "energy": 1e300},
        422,
        "energy",
    )


def test_detectors_and_beamline_setups(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    assert (
        api.call("GET", "/detectors", status=404, manufacturer="DECTRIS")["detail"]
        == "Detector not found"
    )
    api.call("POST", "/detectors", {"detectorManufacturer": "DECTRIS"}, status=403)
    detector = {
        "detectorManufacturer": "DECTRIS",
        "detectorModel": "PILATUS3 6M",
        "detectorMode": "1x1",
        "detectorSerialNumber": "PI-6M-0123",
    }
    made = api.call("POST", "/detectors", detector, user="admin")
    found = api.call(
        "GET",
        "/detectors",
        status=200,
        manufacturer="dectris",
        model="PILATUS3 6M",
        mode="1x1",
        type="",
    )
    assert found["detectorId"] == made["detectorId"]
    api.call("GET", "/detectors", status=404, manufacturer="dectris", model="EIGER")
    api.refused("POST", "/detectors", detector, 409, "detectorSerialNumber", user="admin")
    setup = api.call(
        "POST",
        "/beamline-setups/beamline-setup",
        {
            "synchrotron_name": "MAX IV",
            "undulators": [{"type": "IVU18"}],
            "detector_model": "PILATUS3 6M",
        },
    )
    path = f"/sessions/{world['session']}/associate-beamline-setup"
    session = api.call("PATCH", path, status=200, beamLineSetupId=int(setup))
    assert session["BeamLineSetup"]["synchrotronName"] == "MAX IV" and session[
        "beamLineSetupId"
    ] == int(setup)
    assert api.call("PATCH", path, status=422, beamLineSetupId=99999)["field"] == "beamLineSetupId"
    api.call(
        "PATCH", "/sessions/999999/associate-beamline-setup", status=404, beamLineSetupId=int(setup)
    )


def test_mxcube_keeps_the_centring_of_a_sample(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    sample_id = world["samples"][("1", 1)]
    body = {
        "blSampleId": sample_id,
        "lastKnownCentringPosition": "phi=1 phiy=2",
        "sampleName": "ignored",
    }
    assert (
        api.call("PATCH", f"/samples/{sample_id}", body, status=200)["lastKnownCenteringPosition"]
        == "phi=1 phiy=2"
    )
    api.refused(
        "PATCH", f"/samples/{sample_id}", body | {"blSampleId": sample_id + 1}, 422, "blSampleId"
    )
    api.refused("PATCH", f"/samples/{sample_id}", body, 403, None, user="reader")
    api.call("PATCH", f"/samples/{sample_id}", body, status=404, user="bob")
