"""MXCuBE's group and collection routes over HTTP, rule by rule (the real adapter drives
them in test_ispyb_mxcube.py; these run without its virtualenv)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.ispyb_mock.acquisition_world import Api, world

__all__ = ["world"]  # a fixture, used by name

pytestmark = pytest.mark.database


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
