"""``GET /api/v4/metadatakeys``: usage counts per key kept through creates, updates, deletes."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database


def _dataset(group: str, metadata: dict[str, Any], published: bool = False) -> dict[str, Any]:
    return {
        "ownerGroup": group,
        "contactEmail": "a@example.org",
        "sourceFolder": "/data/k",
        "creationTime": "2024-01-01T00:00:00Z",
        "type": "raw",
        "owner": "A",
        "principalInvestigator": "A",
        "creationLocation": "/k",
        "isPublished": published,
        "scientificMetadata": metadata,
    }


def _keys(client: Any, key: str) -> list[dict[str, Any]]:
    where = {"where": {"key": key}}
    answer = client.get("/api/v4/metadatakeys", params={"filter": json.dumps(where)})
    assert answer.status_code == 200, answer.text
    result: list[dict[str, Any]] = answer.json()
    return result


def test_keys_follow_their_documents(lite_server: LiteServer) -> None:
    key = f"temperature_{uuid.uuid4().hex[:6]}"
    entry = {"value": 1, "unit": "K", "human_name": "Temperature"}
    with (
        lite_server.client("admin") as admin,
        lite_server.client("user1") as user1,
        lite_server.client("user2") as user2,
        lite_server.client() as anonymous,
    ):
        first = admin.post("/api/v3/datasets", json=_dataset("group1", {key: entry})).json()
        second = admin.post("/api/v3/datasets", json=_dataset("group2", {key: entry})).json()
        [found] = _keys(admin, key)
        assert found["sourceType"] == "Dataset"
        assert found["humanReadableName"] == "Temperature"
        assert found["usageCount"] == 2
        assert sorted(found["userGroups"]) == ["group1", "group2"]
        assert found["isPublished"] is False
        assert {"id", "createdAt", "updatedAt", "createdBy"} <= set(found)
        assert len(_keys(user1, key)) == 1
        assert _keys(anonymous, key) == []
        # An update that changes the groups moves the count; publishing shows the key to all.
        pid = first["pid"].replace("/", "%2F")
        admin.patch(f"/api/v3/datasets/{pid}", json={"ownerGroup": "group3", "isPublished": True})
        [moved] = _keys(admin, key)
        assert sorted(moved["userGroups"]) == ["group2", "group3"]
        assert moved["usageCount"] == 2 and moved["isPublished"] is True
        assert len(_keys(anonymous, key)) == 1
        assert len(_keys(user2, key)) == 1
        for dataset in (first, second):
            assert (
                admin.delete(f"/api/v3/datasets/{dataset['pid'].replace('/', '%2F')}").status_code
                == 403
            )
        with lite_server.client("archiveManager") as deleter:
            for dataset in (first, second):
                deleter.delete(f"/api/v3/datasets/{dataset['pid'].replace('/', '%2F')}")
        assert _keys(admin, key) == []


def test_filter_fields_and_limits(lite_server: LiteServer) -> None:
    key = f"k_{uuid.uuid4().hex[:6]}"
    with lite_server.client("admin") as admin:
        admin.post("/api/v3/datasets", json=_dataset("group1", {key: {"value": 1}}))
        projected = admin.get(
            "/api/v4/metadatakeys",
            params={"filter": json.dumps({"where": {"key": key}, "fields": ["key", "usageCount"]})},
        ).json()
        assert projected == [{"key": key, "usageCount": 1}]
        limited = admin.get("/api/v4/metadatakeys", params={"filter": '{"limits": {"limit": 1}}'})
        assert len(limited.json()) == 1
        bad = admin.get("/api/v4/metadatakeys", params={"filter": '{"where": {"nope": 1}}'})
        assert bad.status_code == 400
