"""MXCuBE's write routes over HTTP, rule by rule (the real adapter drives them in
test_ispyb_mxcube.py; these run without its virtualenv)."""

from __future__ import annotations

from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API

pytestmark = pytest.mark.database


class Api:
    def __init__(self, client: Any, auth: Any) -> None:
        self.client = client
        self.auth = auth

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        status: int = 201,
        user: str = "alice",
        **params: Any,
    ) -> Any:
        reply = self.client.request(
            method, f"{API}{path}", json=body, params=params, headers=self.auth(user)
        )
        assert reply.status_code == status, reply.text
        return reply.json()

    def refused(
        self, method: str, path: str, body: Any, status: int, field: str | None, user: str = "alice"
    ) -> str:
        answer = self.call(method, path, body, status=status, user=user)
        assert answer["field"] == field, answer
        detail: str = answer["detail"]
        return detail


@pytest.fixture
def world(client: Any, auth: Any, load: Any, make_graph: Any) -> dict[str, Any]:
    """alice's proposal (pucks in slots 1 and 2, three samples each) and bob's."""
    mine = load(make_graph(pucks=2, samples=3, members=("alice",)))
    theirs = load(make_graph("20240002", prefix="B", samples=1, members=("bob",)))
    samples = {(s["containerBarcode"][-1], s["location"]): s["blSampleId"] for s in mine["samples"]}
    return {
        "api": Api(client, auth),
        "session": mine["sessions"]["1"],
        "other_session": mine["sessions"]["2"],
        "samples": samples,  # (slot, position) -> blSampleId
        "foreign_session": theirs["sessions"]["1"],
        "foreign_sample": theirs["samples"][0]["blSampleId"],
        "proposalId": mine["proposalId"],
    }


def test_a_group_finds_its_sample_from_the_puck_slot(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    group = api.call(
        "POST",
        "/datacollections/group",
        {
            "sessionId": str(world["session"]),
            "experimentType": "OSC",
            "actualContainerSlotInSC": 2,
            "actualSampleSlotInContainer": 3,
        },
    )
    assert (
        group["blSampleId"] == world["samples"][("2", 3)] and group["sessionId"] == world["session"]
    )
    updated = api.call(
        "POST",
        "/datacollections/group",
        {
            "sessionId": world["session"],
            "group_id": group,
            "experiment_type": "mesh",
            "fileinfo": {"directory": "/d/"},
            "unknown": "ignored",
        },
        status=200,
    )
    assert (updated["dataCollectionGroupId"], updated["experimentType"]) == (
        group["dataCollectionGroupId"],
        "Mesh",
    )


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"sessionId": 999999}, "sessionId", "does not exist"),
        ({"sessionId": None}, "sessionId", "is required"),
        ({"experimentType": "Imaging"}, "experimentType", "is not one of"),
        (
            {"actualContainerSlotInSC": 2, "actualSampleSlotInContainer": 9},
            "actualSampleSlotInContainer",
            "is empty",
        ),
        (
            {"actualContainerSlotInSC": 7, "actualSampleSlotInContainer": 1},
            "actualContainerSlotInSC",
            "no puck",
        ),
        ({"sessionId": "abc"}, "body.sessionId", ""),
        ({"group_id": 999999}, "group_id", "does not exist"),
    ],
)
def test_bad_groups_name_the_field(
    world: dict[str, Any], body: dict[str, Any], field: str, words: str
) -> None:
    body = {"sessionId": world["session"], "experimentType": "OSC"} | body
    assert words in world["api"].refused("POST", "/datacollections/group", body, 422, field)


def test_who_may_write(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    body = {"sessionId": world["session"], "experimentType": "OSC"}
    assert "members" in api.refused(
        "POST", "/datacollections/group", body, 403, None, user="reader"
    )
    api.refused("POST", "/datacollections/group", body, 422, "sessionId", user="bob")  # unseen
    api.refused("POST", "/datacollections/group", body, 422, "sessionId", user="writer")
    api.call("POST", "/datacollections/group", body, user="admin")
    session = api.call(
        "POST",
        "/sessions",
        {
            "proposalId": str(world["proposalId"]),
            "beamLineName": "BioMAX",
            "startDate": "2026-03-01T00:00:00.000000Z",
            "endDate": "2026-03-03T07:59:59.000000Z",
            "comments": "Session created by the BCM",
            "scheduled": False,
        },
    )
    assert (session["visit_number"], session["startDate"]) == (3, "2026-03-01T00:00:00")
    api.refused("POST", "/sessions", {"proposalId": world["proposalId"]}, 403, None, user="reader")


def _collection(world: dict[str, Any], group: Any, **extra: Any) -> dict[str, Any]:
    return {
        "sessionId": world["session"],
        "group_id": group,
        "fileinfo": {
            "directory": "/data/raw/",
            "prefix": "x",
            "run_number": 1,
            "template": "x_1_%05d.cbf",
        },
        "oscillation_sequence": [
            {
                "start": 0,
                "range": 0.2,
                "offset": 0,
                "number_of_images": 900,
                "exposure_time": 0.02,
                "kappaStart": 0,
            }
        ],
        "sample_reference": {"blSampleId": world["samples"][("1", 1)]},
        "status": "Running",
        "collection_start_time": "2026-03-01 10:00:00",
        "resolution": {"lower": 40, "upper": 1.8},
    } | extra


def test_collections_are_created_then_updated(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    group = api.call(
        "POST", "/datacollections/group", {"sessionId": world["session"], "experimentType": "OSC"}
    )
    assert group["blSampleId"] is None  # the queue makes the group before naming the sample
    dc = api.call("POST", "/datacollections/datacollection", _collection(world, group))
    assert list(dc)[:2] == ["dataCollectionId", "dataCollectionGroupId"]  # mxcubecore unpacks them
    assert (dc["axisEnd"], dc["rotationAxis"], dc["resolution"], dc["runStatus"]) == (
        180,
        "Phi",
        1.8,
        "Running",
    )
    final = _collection(
        world,
        group["dataCollectionGroupId"],
        collection_id=dc["dataCollectionId"],
        status="Data collection successful",
    )
    again = api.call("POST", "/datacollections/datacollection", final, status=200)
    assert (
        again["dataCollectionId"] == dc["dataCollectionId"]
        and again["runStatus"] == "Data collection successful"
    )
    events = api.call(
        "GET", "/events", status=200, dataCollectionGroupId=group["dataCollectionGroupId"]
    )
    assert events["total"] == 1 and events["results"][0]["blSampleId"] == world["samples"][("1", 1)]
    assert (
        api.call("GET", f"/datacollections/{dc['dataCollectionId']}", status=200)["startTime"]
        == "2026-03-01T10:00:00"
    )
    api.call("GET", f"/datacollections/{dc['dataCollectionId']}", status=404, user="bob")
    image = api.call(
        "POST",
        "/images/image",
        {
            "dataCollectionId": dc["dataCollectionId"],
            "fileName": "x_1_00001.cbf",
            "imageNumber": 1,
            "synchrotronCurrent": "400.1",
            "machineMessage": "",
        },
    )
    assert image["imageId"] > 0 and image["synchrotronCurrent"] == 400.1
    api.refused("POST", "/images/image", {"dataCollectionId": 999999}, 422, "dataCollectionId")


def test_bad_collections_name_the_field(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    group = api.call(
        "POST", "/datacollections/group", {"sessionId": world["session"], "experimentType": "OSC"}
    )
    bare = _collection(world, group, sample_reference={"blSampleId": -1})
    assert "belongs to a sample" in api.refused(
        "POST", "/datacollections/datacollection", bare, 422, "sample_reference.blSampleId"
    )
    foreign = _collection(world, group, sample_reference={"blSampleId": world["foreign_sample"]})
    api.refused(
        "POST", "/datacollections/datacollection", foreign, 422, "sample_reference.blSampleId"
    )
    elsewhere = _collection(world, group, sessionId=world["other_session"])
    api.refused("POST", "/datacollections/datacollection", elsewhere, 422, "group_id")
    api.refused(
        "POST", "/datacollections/datacollection", _collection(world, None), 422, "group_id"
    )
    api.refused(
        "POST",
        "/datacollections/datacollection",
        _collection(world, group, detectorId=999),
        422,
        "detectorId",
    )
    api.call("POST", "/datacollections/datacollection", _collection(world, group))
    api.refused(
        "POST",
        "/datacollections/datacollection",
        _collection(world, group),
        409,
        "fileinfo.run_number",
    )
    long = _collection(world, group, fileinfo={"directory": "/" + "d" * 300})
    api.refused("POST", "/datacollections/datacollection", long, 422, "body.fileinfo.directory")
    other = _collection(
        world,
        group,
        sample_reference={"blSampleId": world["samples"][("1", 2)]},
        fileinfo={"directory": "/d/", "run_number": 2},
    )
    assert "holds sample" in api.refused(
        "POST", "/datacollections/datacollection", other, 422, "sample_reference.blSampleId"
    )


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
