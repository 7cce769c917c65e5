"""Origdatablocks: who reads them through which route, and the file-level routes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database


@dataclass(frozen=True)
class Blocks:
    private_pid: str
    public_pid: str
    private_block: str
    public_block: str  # own isPublished true, in the published dataset
    hidden_block: str  # own isPublished false, in the published dataset
    tag: str


def _dataset(tag: str, published: bool) -> dict[str, Any]:
    return {
        "ownerGroup": "ingestor",
        "contactEmail": "i@example.org",
        "sourceFolder": f"/data/{tag}",
        "creationTime": "2024-01-01T00:00:00Z",
        "type": "raw",
        "owner": "I",
        "principalInvestigator": "I",
        "creationLocation": f"/{tag}",
        "isPublished": published,
    }


def _files(tag: str, count: int) -> list[dict[str, Any]]:
    return [
        {"path": f"{tag}/f{i}.h5", "size": 10 + i, "time": "2024-01-01T00:00:00Z"}
        for i in range(count)
    ]


def _enc(pid: str) -> str:
    return pid.replace("/", "%2F")


@pytest.fixture(scope="module")
def blocks(lite_server: LiteServer) -> Iterator[Blocks]:
    tag = uuid.uuid4().hex[:8]
    with lite_server.client("ingestor") as ingestor:
        private = ingestor.post("/api/v3/datasets", json=_dataset(tag, False)).json()["pid"]
        public = ingestor.post("/api/v3/datasets", json=_dataset(tag, True)).json()["pid"]

        def block(pid: str, count: int, published: bool) -> str:
            body = {
                "datasetId": pid,
                "size": 100,
                "dataFileList": _files(tag, count),
                "ownerGroup": "ingestor",
                "isPublished": published,
            }
            answer = ingestor.post("/api/v4/origdatablocks", json=body)
            assert answer.status_code == 201, answer.text
            return str(answer.json()["_id"])

        yield Blocks(
            private_pid=private,
            public_pid=public,
            private_block=block(private, 3, False),
            public_block=block(public, 2, True),
            hidden_block=block(public, 1, False),
            tag=tag,
        )


def _ids(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {doc["_id"] for doc in answer.json()}


def test_anonymous_callers_get_files_only_where_upstream_gives_them(
    lite_server: LiteServer, blocks: Blocks
) -> None:
    with lite_server.client() as anonymous:
        for path in (
            "/api/v3/origdatablocks",
            f"/api/v3/origdatablocks/{blocks.public_block}",
            "/api/v3/origdatablocks/fullquery",
            "/api/v4/origdatablocks",
            "/api/v4/origdatablocks/files",
            f"/api/v4/origdatablocks/{blocks.public_block}",
            f"/api/v4/datasets/{_enc(blocks.public_pid)}?include=origdatablocks",
        ):
            assert anonymous.get(path).status_code == 403, path
        # v3 dataset routes give the blocks of published datasets.
        v3 = anonymous.get(f"/api/v3/datasets/{_enc(blocks.public_pid)}/origdatablocks")
        assert _ids(v3) == {blocks.public_block, blocks.hidden_block}
        private = anonymous.get(f"/api/v3/datasets/{_enc(blocks.private_pid)}/origdatablocks")
        assert private.status_code == 403
        # Public v4 routes go by the block's own isPublished.
        where = json.dumps({"where": {"datasetId": blocks.public_pid}})
        assert _ids(anonymous.get("/api/v4/origdatablocks/public", params={"filter": where})) == {
            blocks.public_block
        }
        included = anonymous.get(
            f"/api/v4/datasets/public/{_enc(blocks.public_pid)}",
            params={"include": "origdatablocks"},
        ).json()
        assert [b["_id"] for b in included["origdatablocks"]] == [blocks.public_block]
        hidden = anonymous.get(f"/api/v4/origdatablocks/public/{blocks.hidden_block}")
        assert (hidden.status_code, hidden.content) == (200, b"")
        count = anonymous.get("/api/v4/origdatablocks/public/files/count", params={"filter": where})
        assert count.json() == {"count": 2}


def test_users_see_their_groups_blocks(lite_server: LiteServer, blocks: Blocks) -> None:
    where = json.dumps({"where": {"datasetId": {"$in": [blocks.private_pid, blocks.public_pid]}}})
    mine = {blocks.private_block, blocks.public_block, blocks.hidden_block}
    with lite_server.client("ingestor") as ingestor, lite_server.client("user1") as user1:
        assert _ids(ingestor.get("/api/v4/origdatablocks", params={"filter": where})) == mine
        # v4 shows other users the published blocks; v3 lists only one's own groups.
        assert _ids(user1.get("/api/v4/origdatablocks", params={"filter": where})) == {
            blocks.public_block
        }
        v3_where = json.dumps({"where": {"datasetId": blocks.public_pid}})
        assert _ids(user1.get("/api/v3/origdatablocks", params={"filter": v3_where})) == set()
        # Reading one block through v3 follows the dataset: published, so readable.
        assert user1.get(f"/api/v3/origdatablocks/{blocks.hidden_block}").status_code == 200
        assert user1.get(f"/api/v3/origdatablocks/{blocks.private_block}").status_code == 403
        assert user1.get("/api/v3/origdatablocks/nope").status_code == 403
        assert user1.get("/api/v4/origdatablocks/nope").status_code == 404


def test_file_routes(lite_server: LiteServer, blocks: Blocks) -> None:
    where = {"datasetId": blocks.private_pid}
    with lite_server.client("ingestor") as ingestor:
        rows = ingestor.get(
            "/api/v4/origdatablocks/files",
            params={"filter": json.dumps({"where": where, "limits": {"limit": 2, "skip": 1}})},
        ).json()
        assert [r["dataFileList"]["path"] for r in rows] == [
            f"{blocks.tag}/f1.h5",
            f"{blocks.tag}/f2.h5",
        ]
        assert all(r["datasetExist"] is True and r["_id"] == blocks.private_block for r in rows)
        count = ingestor.get(
            "/api/v4/origdatablocks/files/count", params={"filter": json.dumps({"where": where})}
        )
        assert count.json() == {"count": 3}
        facet = ingestor.get(
            "/api/v4/origdatablocks/fullfacet/files", params={"fields": json.dumps(where)}
        )
        assert facet.json() == [{"all": [{"totalSets": 3}]}]
        v3_rows = ingestor.get(
            "/api/v3/origdatablocks/fullquery/files",
            params={"fields": json.dumps(where), "limits": json.dumps({"order": "size:desc"})},
        ).json()
        assert len(v3_rows) == 3
        v3_facet = ingestor.get(
            "/api/v3/origdatablocks/fullfacet",
            params={"fields": json.dumps(where), "facets": '["datasetId"]'},
        )
        assert v3_facet.json() == [{"all": [{"totalSets": 1}]}]
        v4_facet = ingestor.get(
            "/api/v4/origdatablocks/fullfacet",
            params={
                "fields": json.dumps({"datasetId": [blocks.private_pid, blocks.public_pid]}),
                "facets": '["datasetId"]',
            },
        ).json()[0]
        assert sorted((b["_id"], b["count"]) for b in v4_facet["datasetId"]) == sorted(
            [(blocks.private_pid, 1), (blocks.public_pid, 2)]
        )
        assert v4_facet["all"] == [{"totalSets": 3}]
        fullquery = ingestor.get(
            "/api/v3/origdatablocks/fullquery", params={"fields": json.dumps(where)}
        )
        assert _ids(fullquery) == {blocks.private_block}


def test_writes_check_block_and_dataset(lite_server: LiteServer, blocks: Blocks) -> None:
    with lite_server.client("user1") as user1, lite_server.client("ingestor") as ingestor:
        body = {"size": 1, "dataFileList": _files("x", 1)}
        assert (
            user1.patch(f"/api/v4/origdatablocks/{blocks.private_block}", json=body).status_code
            == 403
        )
        patched = ingestor.patch(
            f"/api/v3/origdatablocks/{blocks.private_block}",
            json={"size": 7},
            headers={"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        )
        assert patched.status_code == 412
        missing = ingestor.post(
            "/api/v4/origdatablocks",
            json={
                "datasetId": "nope",
                "size": 1,
                "dataFileList": _files("x", 1),
                "ownerGroup": "ingestor",
            },
        )
        assert missing.status_code == 404
        assert missing.json()["message"] == "Dataset: nope not found for attaching an origdatablock"


def test_a_new_block_moves_its_datasets_totals_over_all_its_blocks(lite_server: LiteServer) -> None:
    tag = uuid.uuid4().hex[:8]
    with lite_server.client("ingestor") as ingestor:
        pid = ingestor.post("/api/v3/datasets", json=_dataset(tag, False)).json()["pid"]
        for route, size, count in (("/api/v3/origdatablocks", 100, 3), ("/api/v4/origdatablocks", 20, 2)):
            body = {"datasetId": pid, "size": size, "dataFileList": _files(tag, count), "ownerGroup": "ingestor"}
            assert ingestor.post(route, json=body).status_code == 201
        dataset = ingestor.get(f"/api/v3/datasets/{_enc(pid)}").json()
    assert (dataset["size"], dataset["numberOfFiles"], dataset["updatedBy"]) == (120, 5, "ingestor")
