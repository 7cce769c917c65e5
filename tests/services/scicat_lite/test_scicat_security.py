"""Hostile input: filter injection, bad JSON, deep nesting, huge bodies, validation bodies."""

from __future__ import annotations

import json

import httpx
import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def client(lite_server: LiteServer) -> httpx.Client:
    return lite_server.client("admin")


def _nested(depth: int) -> dict[str, object]:
    where: dict[str, object] = {"pid": "x"}
    for _ in range(depth):
        where = {"and": [where]}
    return where


@pytest.mark.parametrize(
    "filter_text",
    [
        "{not json",
        json.dumps({"where": {"$where": "sleep(1)"}}),
        json.dumps({"where": {"pid": {"$function": "x"}}}),
        json.dumps({"where": {"pid": {"regexp": "(unclosed"}}}),
        json.dumps({"where": {"pid": {"gt": {"nested": 1}}}}),
        json.dumps({"where": _nested(50)}),
        json.dumps({"where": {"or": "notalist"}}),
        json.dumps({"limits": {"limit": -1}}),
        json.dumps({"limits": {"order": "pid:sideways"}}),
        json.dumps({"unknownKey": 1}),
        json.dumps([1, 2]),
    ],
)
def test_hostile_filters_get_400(client: httpx.Client, filter_text: str) -> None:
    response = client.get("/api/v3/datasets", params={"filter": filter_text})
    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400


@pytest.mark.parametrize(
    "where",
    [
        {"pid": "x' OR '1'='1"},
        {"pid'); DROP TABLE datasets; --": 1},
        {"pid": {"like": "' OR 1=1 --"}},
    ],
)
def test_injection_attempts_are_plain_data(client: httpx.Client, where: dict[str, object]) -> None:
    response = client.get("/api/v3/datasets", params={"filter": json.dumps({"where": where})})
    assert response.status_code == 200 and response.json() == []
    assert client.get("/api/v3/health").status_code == 200


def test_over_large_body_gets_413(client: httpx.Client) -> None:
    response = client.post(
        "/api/v3/datasets",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_v3_dataset_validation_body(client: httpx.Client) -> None:
    response = client.post(
        "/api/v3/datasets", json={"type": "raw", "ownerGroup": "admin", "foo": 1}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and isinstance(body["message"], str)
    properties = {e["property"] for e in json.loads(body["message"])}
    assert {"foo", "owner", "contactEmail", "sourceFolder", "creationTime"} <= properties


def test_v4_validation_body(client: httpx.Client) -> None:
    response = client.post("/api/v4/datasets", json={"ownerGroup": 5, "bogus": True})
    body = response.json()
    assert response.status_code == 400 and body["error"] == "Bad Request"
    assert "property bogus should not exist" in body["message"]
    assert "ownerGroup must be a string" in body["message"]


def test_v4_filter_rejects_unknown_fields(client: httpx.Client) -> None:
    response = client.get("/api/v4/datasets", params={"filter": json.dumps({"where": {"nope": 1}})})
    assert response.status_code == 400
    assert response.json()["message"] == "Property nope should not exist in the filter object"


def test_unknown_route_is_nest_404(client: httpx.Client) -> None:
    response = client.get("/api/v3/nothing")
    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "message": "Cannot GET /api/v3/nothing",
        "error": "Not Found",
    }
