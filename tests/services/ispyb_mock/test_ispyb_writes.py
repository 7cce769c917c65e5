"""Single-entity writes, from proposal to processing, and every rule they enforce."""

from __future__ import annotations

from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API

pytestmark = pytest.mark.database


class Api:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        reply = self.client.post(f"{API}{path}", json=body, headers=self.headers)
        assert reply.status_code == status, reply.text
        result: dict[str, Any] = reply.json()
        return result

    def patch(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        reply = self.client.patch(f"{API}{path}", json=body, headers=self.headers)
        assert reply.status_code == status, reply.text
        result: dict[str, Any] = reply.json()
        return result


@pytest.fixture
def api(client: Any, auth: Any) -> Api:
    return Api(client, auth("admin"))


@pytest.fixture
def chain(api: Api, make_processing: Any) -> dict[str, Any]:
    """Proposal, session, protein, shipment, dewar, Unipuck, sample, group, collection, run."""
    proposal = api.post(
        "/proposals",
        {
            "proposalCode": "MX",
            "proposalNumber": "20240077",
            "title": "T",
            "Person": {"login": "pi77", "familyName": "Curie"},
            "persons": [{"login": "alice"}],
        },
    )
    session = api.post(
        "/sessions",
        {
            "proposalId": proposal["proposalId"],
            "visit_number": 1,
            "beamLineName": "BioMAX",
            "startDate": "2024-05-01T08:00:00Z",
            "endDate": "2024-05-02T07:59:59Z",
            "persons": [{"login": "bob", "role": "Co-Investigator"}],
        },
    )
    protein = api.post(
        "/proteins",
        {
            "proposalId": proposal["proposalId"],
            "acronym": "TIM",
            "name": "Triosephosphate isomerase",
        },
    )
    shipping = api.post(
        "/shippings",
        {
            "proposalId": proposal["proposalId"],
            "shippingName": "MX20240077-1_Shipment1",
            "sessionIds": [session["sessionId"]],
        },
    )
    dewar = api.post("/dewars", {"shippingId": shipping["shippingId"], "code": "Dewar-1"})
    puck = api.post(
        "/containers",
        {
            "dewarId": dewar["dewarId"],
            "code": "Puck-A",
            "barcode": "PK-77-A",
            "beamlineLocation": "BioMAX",
            "sampleChangerLocation": "29",
        },
    )
    sample = api.post(
        "/samples",
        {
            "containerId": puck["containerId"],
            "name": "tim-1",
            "location": 16,
            "Crystal": {"proteinId": protein["proteinId"], "spaceGroup": "P212121"},
        },
    )
    group = api.post(
        "/datacollections/groups",
        {
            "sessionId": session["sessionId"],
            "blSampleId": sample["blSampleId"],
            "experimentType": "OSC",
            "startTime": "2024-05-01T09:00:00",
        },
    )
    collection = api.post(
        "/datacollections",
        {
            "dataCollectionGroupId": group["dataCollectionGroupId"],
            "imageDirectory": "/data/raw/",
            "imagePrefix": "tim-1",
            "dataCollectionNumber": 1,
            "numberOfImages": 1800,
            "runStatus": "Data collection successful",
            "startTime": "2024-05-01T09:00:00",
            "endTime": "2024-05-01T09:01:30",
        },
    )
    run = api.post(
        "/processings/auto-integrations",
        make_processing() | {"dataCollectionId": collection["dataCollectionId"]},
    )
    return {
        "proposal": proposal,
        "session": session,
        "protein": protein,
        "shipping": shipping,
        "dewar": dewar,
        "puck": puck,
        "sample": sample,
        "group": group,
        "collection": collection,
        "run": run,
    }


def test_the_chain_is_written_and_readable(chain: dict[str, Any], client: Any, auth: Any) -> None:
    assert chain["dewar"]["barCode"] == f"MAXIV0{chain['dewar']['dewarId']}"
    assert (
        chain["dewar"]["dewarStatus"] == "opened"
        and chain["shipping"]["shippingStatus"] == "opened"
    )
    assert chain["puck"]["capacity"] == 16 and chain["sample"]["location"] == 16
    assert chain["session"]["session"] == "MX20240077-1"
    assert chain["session"]["startDate"] == "2024-05-01T08:00:00"
    assert chain["collection"]["sessionId"] == chain["session"]["sessionId"]
    assert chain["run"]["autoProcScalingId"] is not None
    assert chain["proposal"]["_metadata"]["persons"] == 2
    events = client.get(f"{API}/events", headers=auth("alice")).json()
    assert events["results"][0]["blSample"] == "tim-1"


def test_patch_shipping_dewar_container(api: Api, chain: dict[str, Any]) -> None:
    shipping_id, dewar_id = chain["shipping"]["shippingId"], chain["dewar"]["dewarId"]
    assert (
        api.patch(f"/shippings/{shipping_id}", {"shippingStatus": "sent to MAXIV"})[
            "shippingStatus"
        ]
        == "sent to MAXIV"
    )
    assert (
        api.patch(f"/shippings/{shipping_id}", {"shippingStatus": "sent to ESRF"}, 422)["field"]
        == "shippingStatus"
    )
    dewar = api.patch(
        f"/dewars/{dewar_id}", {"dewarStatus": "at MAXIV", "storageLocation": "STORES-IN"}
    )
    assert (dewar["dewarStatus"], dewar["storageLocation"]) == ("at MAXIV", "STORES-IN")
    assert (
        api.patch(f"/dewars/{dewar_id}", {"dewarStatus": "melted"}, 422)["field"] == "dewarStatus"
    )
    puck_id = chain["puck"]["containerId"]
    assert (
        api.patch(f"/containers/{puck_id}", {"sampleChangerLocation": "3"})["sampleChangerLocation"]
        == "3"
    )
    reply = api.patch(f"/containers/{puck_id}", {"containerType": "Spinepuck"}, 422)
    assert (
        reply["field"] == "capacity" and "[16]" in reply["detail"]
    )  # the sample at 16 no longer fits
    assert (
        api.patch(
            f"/containers/{puck_id}",
            {"beamlineLocation": "ID30B", "sampleChangerLocation": "25"},
            422,
        )["field"]
        == "sampleChangerLocation"
    )
    assert (
        api.patch(
            f"/containers/{puck_id}", {"beamlineLocation": "ID30B", "sampleChangerLocation": "24"}
        )["capacity"]
        == 16
    )
    other = api.post("/dewars", {"shippingId": shipping_id, "code": "Dewar-2", "barCode": "DW-2"})
    assert (
        api.patch(f"/containers/{puck_id}", {"dewarId": other["dewarId"]})["dewarId"]
        == other["dewarId"]
    )
    assert api.patch(f"/dewars/{dewar_id}", {"barCode": "DW-2"}, 409)["field"] == "barCode"
    assert api.patch("/dewars/999999", {"code": "x"}, 404)["detail"] == "Dewar 999999 not found"


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/containers", {"containerType": "Spinepuck", "capacity": 16}, 422, "capacity"),
        ("/containers", {"containerType": "Basket"}, 422, "containerType"),
        ("/containers", {"sampleChangerLocation": "30"}, 422, "sampleChangerLocation"),
        ("/containers", {"barcode": "PK-77-A"}, 409, "barcode"),
        ("/containers", {"dewarId": 999999}, 422, "dewarId"),
        ("/containers", {"capacity": "many"}, 422, "body.capacity"),
        ("/dewars", {"barCode": "MAXIV0{dewarId}"}, 409, "barCode"),
        ("/dewars", {"dewarStatus": "lost"}, 422, "dewarStatus"),
        ("/dewars", {"type": "Parcel"}, 422, "body.type"),
        ("/dewars", {"shippingId": 999999}, 422, "shippingId"),
        ("/shippings", {"shippingName": "MX20240077-1_Shipment1"}, 409, "shippingName"),
        ("/shippings", {"shippingStatus": "gone"}, 422, "shippingStatus"),
        ("/shippings", {"sessionIds": [999999]}, 422, "sessionIds[0]"),
        ("/shippings", {"proposalId": 999999}, 422, "proposalId"),
        ("/samples", {"location": 17}, 422, "location"),
        ("/samples", {"location": 16}, 409, "location"),
        ("/samples", {"containerId": 999999}, 422, "containerId"),
        ("/samples", {"Crystal": {"proteinId": 999999}}, 422, "Crystal.proteinId"),
        ("/samples", {"location": 0}, 422, "body.location"),
        ("/proteins", {"acronym": "TIM"}, 409, "acronym"),
        ("/sessions", {"visit_number": 1}, 409, "visit_number"),
        ("/proposals", {"proposalNumber": "20240077"}, 409, "proposalNumber"),
        ("/proposals", {"proposalNumber": "twelve"}, 422, "body.proposalNumber"),
        ("/datacollections/groups", {"blSampleId": 999999}, 422, "blSampleId"),
        ("/datacollections/groups", {"experimentType": "Selfie"}, 422, "body.experimentType"),
        ("/datacollections", {"dataCollectionNumber": 1}, 409, "dataCollectionNumber"),
        ("/datacollections", {"dataCollectionGroupId": 999999}, 422, "dataCollectionGroupId"),
        ("/processings/auto-integrations", {}, 409, "processingPrograms"),
        (
            "/processings/auto-integrations",
            {"processingPrograms": "autoPROC", "AutoProcScalingStatistics": []},
            201,
            None,
        ),
        (
            "/processings/auto-integrations",
            {
                "processingPrograms": "fast_dp",
                "AutoProcScalingStatistics": [{"scalingStatisticsType": "overall"}],
            },
            422,
            "AutoProcScalingStatistics",
        ),
    ],
)
def test_violations(
    api: Api,
    chain: dict[str, Any],
    make_processing: Any,
    path: str,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    valid = {
        "/containers": {"dewarId": chain["dewar"]["dewarId"], "code": "Puck-B"},
        "/dewars": {"shippingId": chain["shipping"]["shippingId"]},
        "/shippings": {"proposalId": chain["proposal"]["proposalId"], "shippingName": "S2"},
        "/samples": {
            "containerId": chain["puck"]["containerId"],
            "name": "s",
            "location": 1,
            "Crystal": {"proteinId": chain["protein"]["proteinId"]},
        },
        "/proteins": {"proposalId": chain["proposal"]["proposalId"], "acronym": "NEW"},
        "/sessions": {"proposalId": chain["proposal"]["proposalId"], "visit_number": 2},
        "/proposals": {"proposalCode": "MX", "proposalNumber": "1", "Person": {"login": "p"}},
        "/datacollections/groups": {
            "sessionId": chain["session"]["sessionId"],
            "blSampleId": chain["sample"]["blSampleId"],
        },
        "/datacollections": {
            "dataCollectionGroupId": chain["group"]["dataCollectionGroupId"],
            "imageDirectory": "/data/raw/",
            "imagePrefix": "tim-1",
            "dataCollectionNumber": 2,
        },
        "/processings/auto-integrations": make_processing()
        | {"dataCollectionId": chain["collection"]["dataCollectionId"]},
    }[path]
    if "barCode" in body:
        body = {"barCode": body["barCode"].format(dewarId=chain["dewar"]["dewarId"])}
    reply = api.post(path, valid | body, status)
    if field is not None:
        assert reply["field"] == field
        assert reply["errors"][0]["field"] == field


def test_failed_writes_leave_nothing_behind(
    api: Api, chain: dict[str, Any], client: Any, auth: Any
) -> None:
    other = api.post(
        "/proposals",
        {"proposalCode": "MX", "proposalNumber": "20240078", "Person": {"login": "pi78"}},
    )
    foreign = api.post("/proteins", {"proposalId": other["proposalId"], "acronym": "FOREIGN"})
    reply = api.post(
        "/samples",
        {
            "containerId": chain["puck"]["containerId"],
            "name": "x",
            "location": 2,
            "Crystal": {"proteinId": foreign["proteinId"]},
        },
        422,
    )
    assert reply["field"] == "Crystal.proteinId"
    proteins = client.get(f"{API}/proteins", headers=auth("admin")).json()["results"]
    assert {p["acronym"]: p["_metadata"]["crystals"] for p in proteins} == {"TIM": 1, "FOREIGN": 0}
    reply = api.post(
        "/datacollections/groups",
        {"sessionId": chain["session"]["sessionId"], "blSampleId": 999999},
        422,
    )
    assert reply["field"] == "blSampleId"
