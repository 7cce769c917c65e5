"""Read routes in py-ISPyB's shapes: every list, its filters and paging."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API

pytestmark = pytest.mark.database


@pytest.fixture
def seeded(load: Any, make_graph: Any) -> dict[str, Any]:
    """30 samples in two Unipucks (16 + 14), each with one collection and one run."""
    graph = make_graph(pucks=2, samples=16)
    graph["shippings"][0]["dewars"][0]["containers"][1]["samples"] = graph["shippings"][0][
        "dewars"
    ][0]["containers"][1]["samples"][:14]
    second = graph["shippings"][0]["dewars"][0]["containers"][1]["samples"]
    for sample in second:
        sample["dataCollectionGroups"][0]["dataCollections"][0]["imagePrefix"] += "-b"
        sample["dataCollectionGroups"][0]["dataCollections"][0]["runStatus"] = "Failed"
    return load(graph)


def get(client: Any, auth: Any, path: str, login: str = "alice", **params: Any) -> Any:
    reply = client.get(f"{API}{path}", params=params, headers=auth(login))
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_proposals(client: Any, auth: Any, seeded: Any) -> None:
    page = get(client, auth, "/proposals")
    assert (page["total"], page["skip"], page["limit"]) == (1, 0, 25)
    proposal = page["results"][0]
    assert proposal["proposal"] == "MX20240001" and proposal["proposalNumber"] == "20240001"
    assert proposal["_metadata"] == {"persons": 2, "sessions": 2, "beamLines": ["BioMAX"]}
    assert proposal["Person"]["Laboratory"]["city"] == "Lund"
    assert get(client, auth, "/proposals/MX20240001")["proposalId"] == proposal["proposalId"]
    assert get(client, auth, "/proposals", search="Lysozyme")["total"] == 1
    assert get(client, auth, "/proposals", search="nothing")["total"] == 0
    reply = client.get(f"{API}/proposals/MX999", headers=auth("alice"))
    assert reply.status_code == 404 and reply.json()["detail"] == "Proposal not found"


def test_sessions_and_filters(client: Any, auth: Any, seeded: Any) -> None:
    sessions = get(client, auth, "/sessions")["results"]
    assert [s["session"] for s in sessions] == ["MX20240001-2", "MX20240001-1"]  # newest first
    first = sessions[1]
    assert first["_metadata"]["datacollections"] == 30 and first["scheduled"] is True
    assert get(client, auth, "/sessions", proposal="MX20240001")["total"] == 2
    assert get(client, auth, "/sessions", proposal="MX1")["total"] == 0
    assert get(client, auth, "/sessions", beamLineName="BioMAX")["total"] == 2
    assert get(client, auth, "/sessions", beamLineName="ID30B")["total"] == 0
    assert get(client, auth, "/sessions", scheduled="true")["total"] == 1
    assert get(client, auth, "/sessions", previous="true")["total"] == 2
    assert get(client, auth, "/sessions", upcoming="true")["total"] == 0
    assert get(client, auth, "/sessions", month=3, year=2024)["total"] == 2
    # py-ISPyB: a session is in a month (a year) when it starts or ends in it
    assert get(client, auth, "/sessions", month=4)["total"] == 1  # visit 2 ends on 1 April
    assert get(client, auth, "/sessions", month=5)["total"] == 0
    assert get(client, auth, f"/sessions/{first['sessionId']}")["visit_number"] == 1


def test_sample_tracking(client: Any, auth: Any, seeded: Any) -> None:
    shipping = get(client, auth, "/shippings")["results"][0]
    assert shipping["shippingStatus"] == "processing" and shipping["safetyLevel"] == "GREEN"
    assert shipping["_metadata"]["dewars"] == 1 and len(shipping["_metadata"]["sessions"]) == 1
    assert get(client, auth, f"/shippings/{shipping['shippingId']}")["shippingName"]
    dewar = get(client, auth, "/dewars", shippingId=shipping["shippingId"])["results"][0]
    assert dewar["Shipping"]["shippingName"] == shipping["shippingName"]
    assert get(client, auth, f"/dewars/{dewar['dewarId']}")["barCode"] == "ADW20240001"
    assert get(client, auth, "/dewars", proposal="MX20240001")["total"] == 1
    containers = get(client, auth, "/containers", dewarId=dewar["dewarId"])
    assert containers["total"] == 2
    puck = containers["results"][0]
    assert puck["Dewar"]["Shipping"]["proposalId"] == shipping["proposalId"]
    assert puck["_metadata"] == {"samples": 16} and puck["capacity"] == 16
    assert get(client, auth, "/containers", beamLineName="BioMAX")["total"] == 2
    assert get(client, auth, f"/containers/{puck['containerId']}")["code"] == "Puck-1"


def test_samples_paging_and_filters(client: Any, auth: Any, seeded: Any) -> None:
    page = get(client, auth, "/samples")
    assert (page["total"], len(page["results"]), page["limit"]) == (30, 25, 25)
    assert len(get(client, auth, "/samples", skip=25)["results"]) == 5
    assert len(get(client, auth, "/samples", limit=5, skip=28)["results"]) == 2
    sample = page["results"][0]
    assert sample["Crystal"]["Protein"]["acronym"] == "HEWL"
    assert sample["Container"]["sampleChangerLocation"] == "1"
    assert sample["location"] == 1 and sample["DiffractionPlan"]["experimentKind"] == "OSC"
    assert sample["_metadata"] == {
        "datacollections": 1,
        "autoIntegrations": 1,
        "proposal": "MX20240001",
    }
    container_id = sample["containerId"]
    protein_id = sample["Crystal"]["proteinId"]
    assert get(client, auth, "/samples", containerId=container_id)["total"] == 16
    assert get(client, auth, "/samples", proteinId=protein_id)["total"] == 30
    assert get(client, auth, "/samples", proteinId=protein_id + 1000)["total"] == 0
    assert get(client, auth, "/samples", beamLineName="BioMAX")["total"] == 30
    assert get(client, auth, "/samples", beamLineName="ID29")["total"] == 0
    assert get(client, auth, "/samples", proposal="MX20240001")["total"] == 30
    assert get(client, auth, "/samples", search="lyso-1")["total"] == 8 + 6  # 1, 10-16 and 1, 10-14
    assert get(client, auth, "/samples", search="HEWL")["total"] == 30
    assert get(client, auth, "/samples", search="PIN0003")["total"] == 2
    names = [
        s["name"]
        for s in get(client, auth, "/samples", order_by="name", order="desc", limit=2)["results"]
    ]
    assert names == ["lyso-9", "lyso-9"]
    assert get(client, auth, f"/samples/{sample['blSampleId']}")["name"] == "lyso-1"


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"skip": -1}, {"order_by": "colour"}]
)
def test_bad_paging_is_422(client: Any, auth: Any, seeded: Any, params: dict[str, Any]) -> None:
    reply = client.get(f"{API}/samples", params=params, headers=auth("alice"))
    assert reply.status_code == 422 and reply.json()["field"].startswith("query.")


def test_proteins(client: Any, auth: Any, seeded: Any) -> None:
    protein = get(client, auth, "/proteins")["results"][0]
    assert protein["_metadata"] == {"crystals": 30, "samples": 30}
    assert get(client, auth, "/proteins", search="lyso")["total"] == 1
    assert get(client, auth, "/proteins", proposal="MX20240001")["total"] == 1
    assert get(client, auth, "/proteins", proteinId=protein["proteinId"])["total"] == 1
    assert get(client, auth, f"/proteins/{protein['proteinId']}")["molecularMass"] == 14.3


def test_events_list_data_collections(client: Any, auth: Any, seeded: Any) -> None:
    events = get(client, auth, "/events")
    assert events["total"] == 30
    event = events["results"][0]
    assert event["type"] == "dc" and event["count"] == 1 and event["duration"] == 120
    assert event["session"] == "MX20240001-1" and event["proposal"] == "MX20240001"
    item = event["Item"]
    assert item["DataCollectionGroup"]["experimentType"] == "OSC"
    assert item["numberOfImages"] == 3600 and item["imageDirectory"].endswith("/")
    starts = [e["startTime"] for e in events["results"]]
    assert starts == sorted(starts, reverse=True)
    group_id = item["dataCollectionGroupId"]
    one = get(client, auth, "/events", dataCollectionGroupId=group_id)
    assert one["total"] == 1 and one["results"][0]["id"] == item["dataCollectionId"]
    assert get(client, auth, "/events", status="success")["total"] == 16
    assert get(client, auth, "/events", status="failed")["total"] == 14
    assert get(client, auth, "/events", status="processed")["total"] == 30
    assert get(client, auth, "/events", status="processerror")["total"] == 0
    assert get(client, auth, "/events", session="MX20240001-1")["total"] == 30
    assert get(client, auth, "/events", session="MX20240001-2")["total"] == 0
    assert get(client, auth, "/events", sessionId=item["sessionId"], limit=3)["total"] == 30
    assert get(client, auth, "/events", blSampleId=item["blSampleId"])["total"] == 1
    assert get(client, auth, "/events", dataCollectionId=item["dataCollectionId"])["total"] == 1
    assert get(client, auth, "/events", beamLineName="BioMAX", proposal="MX20240001")["total"] == 30
    protein_id = get(client, auth, "/proteins")["results"][0]["proteinId"]
    assert get(client, auth, "/events", proteinId=protein_id)["total"] == 30
    reply = client.get(f"{API}/events", params={"session": "nonsense"}, headers=auth("alice"))
    assert reply.status_code == 422 and reply.json()["field"] == "session"


def test_events_group_collections(client: Any, auth: Any, load: Any, make_graph: Any) -> None:
    graph = make_graph(samples=1)
    group = graph["shippings"][0]["dewars"][0]["containers"][0]["samples"][0][
        "dataCollectionGroups"
    ][0]
    group["dataCollections"].append(
        dict(group["dataCollections"][0], dataCollectionNumber=2, autoProcPrograms=[])
    )
    load(graph)
    events = get(client, auth, "/events")
    assert events["total"] == 1 and events["results"][0]["count"] == 2
    assert events["results"][0]["duration"] == 240


def test_processing(client: Any, auth: Any, seeded: Any) -> None:
    dc_id = seeded["dataCollections"][0]["dataCollectionId"]
    page = get(client, auth, "/processings/auto-integrations", dataCollectionId=dc_id)
    assert page["total"] == 1
    run = page["results"][0]
    assert run["processingStatus"] == 1 and run["processingPrograms"] == "XIA2_DIALS"
    assert run["_metadata"] == {"attachments": 1}
    scaling = run["AutoProcIntegration"][0]["AutoProcScalingHasInt"][0]["AutoProcScaling"]
    assert scaling["AutoProc"]["spaceGroup"] == "P 43 21 2"
    shells = {s["scalingStatisticsType"]: s for s in scaling["AutoProcScalingStatistics"]}
    assert set(shells) == {"overall", "innerShell", "outerShell"}
    assert shells["overall"]["ccAno"] == shells["overall"]["ccAnomalous"] == 0.6
    statuses = get(client, auth, "/processings/status", dataCollectionIds=json.dumps([dc_id, 0]))
    assert statuses["statuses"] == {
        str(dc_id): {
            "screening": None,
            "xrc": None,
            "em": None,
            "processing": {},
            "autoIntegration": {
                "XIA2_DIALS": [{"status": 1, "autoProcProgramId": run["autoProcProgramId"]}]
            },
        }
    }
    reply = client.get(
        f"{API}/processings/status", params={"dataCollectionIds": "1,2"}, headers=auth("alice")
    )
    assert reply.status_code == 422 and reply.json()["field"] == "dataCollectionIds"
    files = get(
        client, auth, "/processings/attachments", autoProcProgramId=run["autoProcProgramId"]
    )
    assert files["results"][0]["fileName"] == "xia2.txt"


def test_processing_by_proposal_and_session_in_pages(
    client: Any, auth: Any, seeded: Any, load: Any, make_graph: Any
) -> None:
    """One reader pages through a proposal's runs and files instead of asking per item."""
    load(make_graph("20240002", prefix="B", samples=3, members=("bob",)))
    runs, files = [], []
    for skip in range(0, 40, 8):
        runs += get(client, auth, "/processings/auto-integrations", login="admin",
                    proposal="MX20240001", skip=skip, limit=8)["results"]  # fmt: skip
        files += get(client, auth, "/processings/attachments", login="admin",
                     proposal="MX20240001", skip=skip, limit=8)["results"]  # fmt: skip
    program_ids = [p for dc in seeded["dataCollections"] for p in dc["autoProcProgramIds"]]
    assert [r["autoProcProgramId"] for r in runs] == sorted(program_ids)
    assert sorted(f["autoProcProgramId"] for f in files) == sorted(program_ids)
    everything = get(client, auth, "/processings/auto-integrations", login="admin", limit=100)
    assert everything["total"] == 30 + 3
    in_session = get(client, auth, "/processings/attachments", login="admin",
                     session="MX20240002-1", limit=100)  # fmt: skip
    assert in_session["total"] == 3
    session_id = seeded["sessions"]["1"]
    assert get(client, auth, "/processings/auto-integrations", sessionId=session_id)["total"] == 30
    assert get(client, auth, "/processings/attachments", proposal="MX20240002")["total"] == 0
    assert get(client, auth, "/processings/attachments")["total"] == 30  # alice's only
    reply = client.get(
        f"{API}/processings/auto-integrations", params={"session": "MX1"}, headers=auth("alice")
    )
    assert reply.status_code == 422 and reply.json()["field"] == "session"


def test_exact_totals_with_limit_1(
    client: Any, auth: Any, seeded: Any, load: Any, make_graph: Any
) -> None:
    """What the consistency checks ask at any size: one row, and the exact total."""
    other = make_graph("20240002", prefix="B", samples=3, members=("bob",))
    group = other["shippings"][0]["dewars"][0]["containers"][0]["samples"][0][
        "dataCollectionGroups"
    ][0]
    group["dataCollections"].append(dict(group["dataCollections"][0], dataCollectionNumber=2))
    load(other)

    def total(path: str, proposal: str | None) -> int:
        only = {"proposal": proposal} if proposal else {}
        return int(get(client, auth, path, login="admin", limit=1, **only)["total"])

    paths = ("/proposals", "/samples", "/datacollections", "/processings/auto-integrations")
    totals = {
        (path, proposal): total(path, proposal)
        for path in paths
        for proposal in (None, "MX20240001", "MX20240002")
    }
    assert totals == {
        ("/proposals", None): 2, ("/proposals", "MX20240001"): 1, ("/proposals", "MX20240002"): 1,
        ("/samples", None): 33, ("/samples", "MX20240001"): 30, ("/samples", "MX20240002"): 3,
        ("/datacollections", None): 34, ("/datacollections", "MX20240001"): 30,
        ("/datacollections", "MX20240002"): 4,
        ("/processings/auto-integrations", None): 34,
        ("/processings/auto-integrations", "MX20240001"): 30,
        ("/processings/auto-integrations", "MX20240002"): 4,
    }  # fmt: skip
    page = get(
        client, auth, "/datacollections", login="admin", proposal="MX20240002", limit=2, skip=2
    )
    assert [dc["dataCollectionNumber"] for dc in page["results"]] == [1, 1]
    assert page["results"][0]["DataCollectionGroup"]["experimentType"] == "OSC"
    assert get(client, auth, "/datacollections", limit=1)["total"] == 30  # alice's only
    session_id = seeded["sessions"]["1"]
    assert get(client, auth, "/datacollections", sessionId=session_id, limit=1)["total"] == 30
    assert get(client, auth, "/datacollections", session="MX20240002-1", login="bob")["total"] == 4


def test_openapi_and_health(client: Any) -> None:
    assert client.get(f"{API}/health").json() == {"status": "ok", "database": "ok"}
    spec = client.get(f"{API}/openapi.json").json()
    assert f"{API}/bulk/proposals" in spec["paths"]
