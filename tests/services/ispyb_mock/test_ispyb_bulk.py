"""POST /bulk/proposals: whole-proposal loads, idempotent reloads, rules with JSON paths."""

from __future__ import annotations

from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.models import schema_tables
from sqlalchemy import Engine, func, select

pytestmark = pytest.mark.database
URL = f"{API}/bulk/proposals"
PUCK = "shippings[0].dewars[0].containers[0]"


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: connection.scalar(select(func.count()).select_from(t)) or 0
            for t in schema_tables()
        }


def test_load_creates_the_whole_graph(load: Any, clean_engine: Engine) -> None:
    result = load()
    assert result["proposal"] == "MX20240001"
    assert set(result["sessions"]) == {"1", "2"}
    assert result["created"] == {
        "Proposal": 1,
        "BLSession": 2,
        "Protein": 1,
        "Shipping": 1,
        "Dewar": 1,
        "Container": 1,
        "BLSample": 2,
        "DataCollectionGroup": 2,
        "DataCollection": 2,
        "AutoProcProgram": 2,
    }
    assert [s["location"] for s in result["samples"]] == [1, 2]
    assert all(len(dc["autoProcProgramIds"]) == 1 for dc in result["dataCollections"])
    counts = row_counts(clean_engine)
    assert counts["AutoProcScalingStatistics"] == 6  # three shells per run
    assert counts["AutoProcScaling_has_Int"] == 2 and counts["AutoProcProgramAttachment"] == 2
    assert counts["ProposalHasPerson"] == 2 and counts["Laboratory"] == 1
    assert counts["ShippingHasSession"] == 1


def test_reload_is_idempotent(load: Any, clean_engine: Engine) -> None:
    first = load()
    before = row_counts(clean_engine)
    second = load()
    assert row_counts(clean_engine) == before
    assert second["created"] == {}
    assert second["updated"]["BLSample"] == 2 and second["updated"]["AutoProcProgram"] == 2
    assert second["samples"] == first["samples"]
    assert [d["dataCollectionId"] for d in second["dataCollections"]] == [
        d["dataCollectionId"] for d in first["dataCollections"]
    ]


def test_reload_updates_and_adds(
    load: Any, make_graph: Any, make_sample: Any, client: Any, auth: Any
) -> None:
    load()
    graph = make_graph()
    graph["title"] = "Renamed"
    puck = graph["shippings"][0]["dewars"][0]["containers"][0]
    puck["samples"][0]["name"] = "renamed-1"
    puck["samples"].append(make_sample(3, with_collection=False))
    result = load(graph)
    assert result["created"] == {"BLSample": 1}
    proposal = client.get(f"{API}/proposals/MX20240001", headers=auth("admin")).json()
    assert proposal["title"] == "Renamed"
    names = [
        s["name"] for s in client.get(f"{API}/samples", headers=auth("admin")).json()["results"]
    ]
    assert names == ["renamed-1", "lyso-2", "lyso-3"]


def test_full_pucks_load(load: Any, make_graph: Any) -> None:
    graph = make_graph(pucks=3, samples=16)
    result = load(graph)
    assert result["created"]["BLSample"] == 48 and result["created"]["Container"] == 3


def _post(client: Any, auth: Any, graph: dict[str, Any]) -> Any:
    return client.post(URL, json=graph, headers=auth("admin"))


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0]["samples"].extend(
                s(i, with_collection=False) for i in range(3, 18)
            ),
            422,
            f"{PUCK}.samples[16].location",
        ),
        (
            lambda g, s: (
                g["shippings"][0]["dewars"][0]["containers"][0].update(containerType="Spinepuck")
                or g["shippings"][0]["dewars"][0]["containers"][0]["samples"].append(
                    s(11, with_collection=False)
                )
            ),
            422,
            f"{PUCK}.samples[2].location",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0]["samples"].append(
                s(2, with_collection=False)
            ),
            422,
            f"{PUCK}.samples[2].location",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"].append(
                dict(g["shippings"][0]["dewars"][0]["containers"][0], samples=[])
            ),
            422,
            "shippings[0].dewars[0].containers[1].barcode",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0].update(
                sampleChangerLocation="30"
            ),
            422,
            f"{PUCK}.sampleChangerLocation",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0].update(capacity=10),
            422,
            f"{PUCK}.capacity",
        ),
        (
            lambda g, s: g["shippings"][0].update(shippingStatus="lost"),
            422,
            "shippings[0].shippingStatus",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0].update(dewarStatus="sent to ESRF"),
            422,
            "shippings[0].dewars[0].dewarStatus",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0]["samples"][0][
                "Crystal"
            ].update(protein="NOPE"),
            422,
            f"{PUCK}.samples[0].Crystal.protein",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0].update(session=9),
            422,
            f"{PUCK}.session",
        ),
        (
            lambda g, s: g["shippings"][0]["dewars"][0]["containers"][0]["samples"][0][
                "dataCollectionGroups"
            ][0]["dataCollections"][0]["autoProcPrograms"][0]["AutoProcScalingStatistics"].pop(),
            422,
            f"{PUCK}.samples[0].dataCollectionGroups[0].dataCollections[0].autoProcPrograms[0]"
            ".AutoProcScalingStatistics",
        ),
        (
            lambda g, s: g["sessions"].append(dict(g["sessions"][0])),
            422,
            "sessions[2].visit_number",
        ),
    ],
)
def test_rule_violations_name_the_json_path(
    client: Any,
    auth: Any,
    make_graph: Any,
    make_sample: Any,
    clean_engine: Engine,
    change: Any,
    status: int,
    field: str,
) -> None:
    graph = make_graph()
    change(graph, make_sample)
    reply = _post(client, auth, graph)
    assert reply.status_code == status, reply.text
    assert reply.json()["field"] == field
    assert row_counts(clean_engine)["Proposal"] == 0  # nothing half-written


def test_barcodes_of_another_proposal_are_refused_and_nothing_is_written(
    client: Any, auth: Any, load: Any, make_graph: Any, clean_engine: Engine
) -> None:
    load()
    before = row_counts(clean_engine)
    other = make_graph("20240002")
    other["shippings"][0]["dewars"][0]["containers"][0]["barcode"] = "APK20240001-1"
    reply = _post(client, auth, other)
    assert reply.status_code == 409
    assert reply.json()["field"] == f"{PUCK}.barcode"
    assert row_counts(clean_engine) == before
    other = make_graph("20240002")
    other["shippings"][0]["dewars"][0]["barCode"] = "ADW20240001"
    reply = _post(client, auth, other)
    assert (reply.status_code, reply.json()["field"]) == (409, "shippings[0].dewars[0].barCode")


def test_bad_input_is_a_4xx(client: Any, auth: Any, make_graph: Any) -> None:
    reply = client.post(
        URL,
        content=b'{"proposalCode": ',
        headers=auth("admin") | {"Content-Type": "application/json"},
    )
    assert reply.status_code == 400 and reply.json()["detail"] == "malformed JSON body"
    graph = make_graph()
    graph["shippings"][0]["dewars"][0]["containers"][0]["samples"][0]["location"] = "first"
    reply = _post(client, auth, graph)
    assert reply.status_code == 422
    assert reply.json()["field"] == f"body.{PUCK}.samples[0].location"
    graph = make_graph()
    graph["unexpected"] = 1
    assert _post(client, auth, graph).json()["field"] == "body.unexpected"


def test_bulk_needs_both_permissions(client: Any, auth: Any, make_graph: Any) -> None:
    for login in ("writer", "reader", "alice"):
        reply = client.post(URL, json=make_graph(), headers=auth(login))
        assert reply.status_code == 403, login
