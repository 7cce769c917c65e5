"""``fullfacet`` with upstream v5.2.1's semantics (``createFullfacetPipeline``)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database
FACETS = [
    "type", "creationLocation", "ownerGroup", "keywords",
    "instrumentIds", "proposalIds", "techniques.name", "sampleIds",
]  # fmt: skip


def _dataset(tag: str, **fields: Any) -> dict[str, Any]:
    return {
        "ownerGroup": "ingestor",
        "contactEmail": "i@example.org",
        "sourceFolder": f"/data/{tag}",
        "creationTime": "2024-03-05T10:00:00Z",
        "datasetName": tag,
        "type": "raw",
        "owner": "I",
        "principalInvestigators": ["I"],
        "keywords": [tag],
        **fields,
    }


def _facet(client: Any, fields: dict[str, Any], facets: list[str]) -> dict[str, Any]:
    answer = client.get(
        "/api/v3/datasets/fullfacet",
        params={"fields": json.dumps(fields), "facets": json.dumps(facets)},
    )
    assert answer.status_code == 200, answer.text
    [result] = answer.json()
    return dict(result)


def test_every_condition_applies_to_every_facet(lite_server: LiteServer) -> None:
    tag = uuid.uuid4().hex[:8]
    with lite_server.client("ingestor") as ingestor:
        for kind, location in (("raw", "/a"), ("raw", "/b"), ("derived", None)):
            extra = {"creationLocation": location} if location else {}
            body = _dataset(tag, type=kind, instrumentIds=["i1"], proposalIds=[tag], **extra)
            body["techniques"] = [{"name": "MX", "pid": "t"}]
            assert ingestor.post("/api/v4/datasets", json=body).status_code == 201
        result = _facet(ingestor, {"keywords": [tag], "type": "raw"}, [*FACETS, "nonsense"])
        assert result["type"] == [{"_id": "raw", "count": 2}]
        assert result["creationLocation"] == [{"_id": "/b", "count": 1}, {"_id": "/a", "count": 1}]
        assert result["instrumentIds"] == [{"_id": "i1", "count": 2}]
        assert result["proposalIds"] == [{"_id": tag, "count": 2}]
        assert result["sampleIds"] == []
        assert result["all"] == [{"totalSets": 2}]
        # Not top-level fields of the dataset schema: upstream warns and leaves them out.
        assert "techniques.name" not in result and "nonsense" not in result
        everything = _facet(ingestor, {"keywords": [tag]}, ["creationLocation", "creationTime"])
        assert {"_id": None, "count": 1} in everything["creationLocation"]
        assert everything["creationTime"] == [
            {"_id": {"year": 2024, "month": 3, "day": 5}, "count": 3}
        ]
        nothing = _facet(ingestor, {"keywords": [f"{tag}-none"]}, ["type"])
        assert nothing == {"type": [], "all": []}


def test_facets_count_what_the_caller_may_see(lite_server: LiteServer) -> None:
    tag = uuid.uuid4().hex[:8]
    with lite_server.client("ingestor") as ingestor:
        ingestor.post("/api/v4/datasets", json=_dataset(tag, isPublished=True))
        ingestor.post("/api/v4/datasets", json=_dataset(tag))
    fields = {"keywords": [tag]}
    with lite_server.client() as anonymous, lite_server.client("user1") as user1:
        assert _facet(anonymous, fields, ["type"])["all"] == [{"totalSets": 1}]
        # Signed-in users count their groups' datasets only, unless they ask for published ones.
        assert _facet(user1, fields, ["type"])["all"] == []
        assert _facet(user1, {**fields, "isPublished": True}, ["type"])["all"] == [{"totalSets": 1}]
    with lite_server.client("admin") as admin:
        assert _facet(admin, fields, ["type"])["all"] == [{"totalSets": 2}]
        v4 = admin.get(
            "/api/v4/datasets/fullfacet",
            params={"fields": json.dumps(fields), "facets": '["ownerGroup"]'},
        ).json()[0]
        assert v4["ownerGroup"] == [{"_id": "ingestor", "count": 2}]
