"""A group's Workflow, the statistics' sigAno and isa, a sample's blSampleStatus: stored by
the bulk load and the own and MXCuBE writes, served where sync reads them, in the change feed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.models import Workflow
from sqlalchemy import Engine, func, select

from tests.services.ispyb_mock.acquisition_world import Api, world

__all__ = ["world"]  # a fixture, used by name

pytestmark = pytest.mark.database

Graph = dict[str, Any]
MXPRESS = {"workflowTitle": "MXPressE", "workflowType": "MXPressE", "status": "Success"}


def annotated(graph: Graph) -> Graph:
    """The first sample collected by MXPressE, with SigAno per shell and ISa overall."""
    graph = copy.deepcopy(graph)
    puck = graph["shippings"][0]["dewars"][0]["containers"][0]
    first = puck["samples"][0]
    first["blSampleStatus"] = "processing"
    first["dataCollectionGroups"][0]["Workflow"] = dict(MXPRESS)
    for sample in puck["samples"]:
        for group in sample["dataCollectionGroups"]:
            for collection in group["dataCollections"]:
                for run in collection["autoProcPrograms"]:
                    shells = run["AutoProcScalingStatistics"]
                    for shell, sig_ano in zip(shells, ("1.512", "2.874", 0.93), strict=True):
                        shell["sigAno"] = sig_ano  # a number is stored as its text
                    shells[0]["isa"] = "27.41"
    return graph


def get(client: Any, auth: Any, path: str, **params: Any) -> Any:
    reply = client.get(f"{API}{path}", params=params, headers=auth("admin"))
    assert reply.status_code == 200, reply.text
    return reply.json()


def workflows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Workflow.__table__)) or 0


def test_the_bulk_load_stores_what_the_reads_serve(
    client: Any, auth: Any, load: Callable[..., Graph], make_graph: Any, clean_engine: Engine
) -> None:
    loaded = load(annotated(make_graph()))
    assert loaded["created"]["Workflow"] == 1 and workflows(clean_engine) == 1
    first, second = (dc["dataCollectionId"] for dc in loaded["dataCollections"])
    proposal = loaded["proposal"]
    # The group, as /events, /datacollections and /datacollections/{id} nest it (py-ISPyB).
    events = get(client, auth, "/events", proposal=proposal)["results"]
    nested = {e["Item"]["dataCollectionId"]: e["Item"]["DataCollectionGroup"] for e in events}
    listed = get(client, auth, "/datacollections", proposal=proposal)["results"]
    one = get(client, auth, f"/datacollections/{first}")
    for group in (nested[first], listed[0]["DataCollectionGroup"], one["DataCollectionGroup"]):
        assert {k: group["Workflow"][k] for k in MXPRESS} == MXPRESS
        assert group["workflowId"] == group["Workflow"]["workflowId"]
        assert group["Workflow"]["comments"] is None
    assert nested[second]["Workflow"] is None and nested[second]["workflowId"] is None
    # The shells, by proposal (sync's bulk read) and by data collection (its fallback).
    for query in ({"proposal": proposal}, {"dataCollectionId": first}):
        run = get(client, auth, "/processings/auto-integrations", **query)["results"][0]
        scaling = run["AutoProcIntegration"][0]["AutoProcScalingHasInt"][0]["AutoProcScaling"]
        shells = {s["scalingStatisticsType"]: s for s in scaling["AutoProcScalingStatistics"]}
        assert {k: (s["sigAno"], s["isa"]) for k, s in shells.items()} == {
            "overall": ("1.512", "27.41"),
            "innerShell": ("2.874", None),
            "outerShell": ("0.93", None),
        }
    samples = get(client, auth, "/samples", proposal=proposal)["results"]
    assert [s["blSampleStatus"] for s in samples] == ["processing", None]


def test_a_reload_updates_the_workflow_in_place_and_keeps_it_when_absent(
    client: Any, auth: Any, load: Callable[..., Graph], make_graph: Any, clean_engine: Engine
) -> None:
    graph = annotated(make_graph())
    first = load(graph)
    again = load(graph)
    assert "Workflow" not in again["created"] and again["updated"]["Workflow"] == 1
    failed = copy.deepcopy(graph)
    group = failed["shippings"][0]["dewars"][0]["containers"][0]["samples"][0]
    group["dataCollectionGroups"][0]["Workflow"]["status"] = "Failure"
    load(failed)
    dc_id = first["dataCollections"][0]["dataCollectionId"]
    served = get(client, auth, f"/datacollections/{dc_id}")["DataCollectionGroup"]["Workflow"]
    assert served["status"] == "Failure" and workflows(clean_engine) == 1
    load(make_graph())  # the graph without workflows: rows missing from a graph are kept
    assert get(client, auth, f"/datacollections/{dc_id}")["DataCollectionGroup"]["Workflow"] == served


def test_a_changed_workflow_is_a_change_of_its_collections(
    client: Any, auth: Any, load: Callable[..., Graph], make_graph: Any
) -> None:
    graph = annotated(make_graph())
    loaded = load(graph)
    head = get(client, auth, "/changes")["head"]
    graph["shippings"][0]["dewars"][0]["containers"][0]["samples"][0]["dataCollectionGroups"][0][
        "Workflow"
    ]["status"] = "Failure"
    load(graph)
    changed = get(client, auth, "/changes", after=str(head), type="dc")["results"]
    assert loaded["dataCollections"][0]["dataCollectionId"] in {c["id"] for c in changed}


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("Workflow", {"workflowType": "MXPressZ"}, "Workflow.workflowType"),
        ("Workflow", {"workflowTitle": "x" * 256}, "Workflow.workflowTitle"),
        ("sigAno", "9" * 46, "sigAno"),
        ("isa", True, "isa"),
        ("blSampleStatus", "x" * 21, "blSampleStatus"),
    ],
)
def test_bad_values_are_refused_with_their_path(
    client: Any, auth: Any, make_graph: Any, where: str, value: Any, field: str
) -> None:
    graph = make_graph()
    sample = graph["shippings"][0]["dewars"][0]["containers"][0]["samples"][0]
    group = sample["dataCollectionGroups"][0]
    shell = group["dataCollections"][0]["autoProcPrograms"][0]["AutoProcScalingStatistics"][0]
    target = {"Workflow": group, "sigAno": shell, "isa": shell, "blSampleStatus": sample}[where]
    target[where] = value
    reply = client.post(f"{API}/bulk/proposals", json=graph, headers=auth("admin"))
    assert reply.status_code == 422, reply.text
    assert reply.json()["field"].endswith(field), reply.json()


def test_the_own_group_write_creates_its_workflow(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    body = {"sessionId": world["session"], "blSampleId": world["samples"][("1", 2)],
            "experimentType": "Helical",
            "Workflow": {"workflowType": "HelicalCharacterisation", "status": "Started"}}  # fmt: skip
    group = api.call("POST", "/datacollections/groups", body)
    assert group["Workflow"]["workflowType"] == "HelicalCharacterisation"
    assert group["workflowId"] == group["Workflow"]["workflowId"]
    body["Workflow"] = {"workflowType": "Imaging"}
    api.refused("POST", "/datacollections/groups", body, 422, "body.Workflow.workflowType")


def test_mxcube_links_the_workflow_its_collect_dictionary_names(world: dict[str, Any]) -> None:
    api: Api = world["api"]
    own = api.call("POST", "/datacollections/groups", {
        "sessionId": world["session"], "blSampleId": world["samples"][("1", 1)],
        "experimentType": "OSC", "Workflow": MXPRESS,
    })  # fmt: skip
    workflow_id = own["workflowId"]
    slot = {"sessionId": str(world["session"]), "experimentType": "OSC",
            "actualContainerSlotInSC": 2, "actualSampleSlotInContainer": 1}  # fmt: skip
    group = api.call("POST", "/datacollections/group", slot)
    assert group["Workflow"] is None
    update = {"sessionId": world["session"], "group_id": group, "workflow_id": str(workflow_id)}
    linked = api.call("POST", "/datacollections/group", update, status=200)
    assert linked["workflowId"] == workflow_id and linked["Workflow"]["workflowType"] == "MXPressE"
    detail = api.refused("POST", "/datacollections/group", update | {"workflow_id": 999999},
                         422, "workflow_id")  # fmt: skip
    assert "does not exist" in detail
    foreign = {"sessionId": world["foreign_session"], "experimentType": "OSC",
               "blSampleId": world["foreign_sample"], "workflow_id": workflow_id}  # fmt: skip
    detail = api.refused("POST", "/datacollections/group", foreign, 422, "workflow_id", user="bob")
    assert "another proposal" in detail
