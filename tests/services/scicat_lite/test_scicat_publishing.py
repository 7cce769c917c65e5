"""Published data (v3 and v4), policies, datablocks and the history of changes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from lite_harness import LiteServer, account_clients
from lite_harness import new_dataset as dataset

pytestmark = pytest.mark.database

USERS = ("admin", "archiveManager", "user1", "user2", "ingestor")


@pytest.fixture(scope="module")
def clients(jobs_server: LiteServer) -> dict[str, httpx.Client]:
    return account_clients(jobs_server, USERS)



def enc(value: str) -> str:
    return quote(value, safe="")


# -- published data ---------------------------------------------------------------------


def publication(client: httpx.Client, pids: list[str]) -> dict[str, Any]:
    response = client.post(
        "/api/v4/publisheddata",
        json={"title": "T", "abstract": "A", "datasetPids": pids, "metadata": {"k": 1}},
    )
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def test_published_data_workflow(clients: dict[str, httpx.Client]) -> None:
    owner, other, anonymous = clients["user1"], clients["user2"], clients["anonymous"]
    pid = dataset(owner, "group1")
    record = publication(owner, [pid])
    doi = record["doi"]
    assert doi.startswith("10.9999/") and record["_id"] == doi and record["status"] == "private"
    assert record["pid"].startswith("20.500.12269/")
    # private: only its creator and admins see it
    assert owner.get(f"/api/v4/publisheddata/{enc(doi)}").status_code == 200
    assert other.get(f"/api/v4/publisheddata/{enc(doi)}").status_code == 404
    assert anonymous.get(f"/api/v4/publisheddata/{enc(doi)}").status_code == 404
    assert doi not in {r["doi"] for r in other.get("/api/v4/publisheddata").json()}
    # publish: public, datasets published
    published = owner.post(f"/api/v4/publisheddata/{enc(doi)}/publish")
    assert published.status_code == 201 and published.json()["status"] == "public"
    assert owner.get(f"/api/v3/datasets/{enc(pid)}").json()["isPublished"] is True
    assert anonymous.get(f"/api/v4/publisheddata/{enc(doi)}").status_code == 200
    assert doi not in {r["doi"] for r in anonymous.get("/api/v4/publisheddata").json()}
    assert owner.post(f"/api/v4/publisheddata/{enc(doi)}/publish").json() == (
        "Published data can only be published if it is in private state."
    )
    frozen = owner.patch(f"/api/v4/publisheddata/{enc(doi)}", json={"title": "new"})
    assert frozen.status_code == 400
    # register: DOI kept, never sent anywhere, datasets get publishedOn
    registered = owner.post(f"/api/v4/publisheddata/{enc(doi)}/register")
    assert registered.status_code == 201, registered.text
    assert registered.json()["status"] == "registered" and registered.json()["doi"] == doi
    lifecycle = owner.get(f"/api/v3/datasets/{enc(pid)}/datasetlifecycle").json()
    assert (
        lifecycle["publishedOn"]
        == registered.json()["registeredTime"][:10] + lifecycle["publishedOn"][10:]
    )
    assert doi in {r["doi"] for r in anonymous.get("/api/v4/publisheddata").json()}
    count = anonymous.get("/api/v4/publisheddata/count").json()["count"]
    assert count == len(anonymous.get("/api/v4/publisheddata").json())
    # amend: admins only, from registered
    assert owner.post(f"/api/v4/publisheddata/{enc(doi)}/amend").json() == (
        "Only admin users can amend published data."
    )
    amended = clients["admin"].post(f"/api/v4/publisheddata/{enc(doi)}/amend")
    assert amended.status_code == 201 and amended.json()["status"] == "amended"
    assert clients["admin"].delete(f"/api/v4/publisheddata/{enc(doi)}").status_code == 403
    removed = clients["archiveManager"].delete(f"/api/v4/publisheddata/{enc(doi)}")
    assert removed.status_code == 400  # registered/amended records stay


def test_published_data_v3_view(clients: dict[str, httpx.Client]) -> None:
    owner = clients["user1"]
    pid = dataset(owner, "group1")
    body = {
        "creator": ["Ada Lovelace", "Alan Turing"],
        "publisher": "PSI",
        "publicationYear": 2024,
        "title": "Old style",
        "abstract": "abs",
        "dataDescription": "desc",
        "resourceType": "raw",
        "pidArray": [pid],
        "authors": ["A"],
    }
    created = owner.post("/api/v3/publisheddata", json=body)
    assert created.status_code == 201, created.text
    v3 = created.json()
    assert v3["creator"] == body["creator"] and v3["pidArray"] == [pid]
    assert v3["publisher"] == "PSI" and v3["status"] == "pending_registration"
    v4 = owner.get(f"/api/v4/publisheddata/{enc(v3['doi'])}").json()
    assert v4["metadata"]["creators"] == [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}]
    assert v4["metadata"]["publisher"] == {"name": "PSI"} and v4["datasetPids"] == [pid]
    assert clients["anonymous"].get(f"/api/v3/publisheddata/{enc(v3['doi'])}").status_code == 404
    registered = owner.post(f"/api/v3/publisheddata/{enc(v3['doi'])}/register")
    assert registered.status_code == 201 and registered.json() == {"doi": v3["doi"]}
    again = clients["anonymous"].get(f"/api/v3/publisheddata/{enc(v3['doi'])}")
    assert again.status_code == 200 and again.json()["status"] == "registered"
    missing = owner.post("/api/v3/publisheddata", json={"title": "t"})
    assert missing.status_code == 400 and "creator" in " ".join(missing.json()["message"])
    form = owner.get("/api/v3/publisheddata/formpopulate", params={"pid": pid}).json()
    assert form["resourceType"] == "raw"


def test_formpopulate_v4_needs_a_user(clients: dict[str, httpx.Client]) -> None:
    pid = dataset(clients["user1"], "group1", description="about")
    assert (
        clients["anonymous"]
        .get("/api/v4/publisheddata/formpopulate", params={"pid": pid})
        .status_code
        == 403
    )
    form = clients["user1"].get("/api/v4/publisheddata/formpopulate", params={"pid": pid}).json()
    assert form == {"resourceType": "raw", "description": "about", "metadata": {}}


# -- policies ---------------------------------------------------------------------------


def test_new_dataset_gets_a_policy_and_a_classification(clients: dict[str, httpx.Client]) -> None:
    admin = clients["admin"]
    pid = dataset(admin, "classified", classification="AV=high,IN=low")
    assert admin.get(f"/api/v3/datasets/{enc(pid)}").json()["classification"] == (
        "IN=medium,AV=high,CO=low"
    )
    policies = admin.get(
        "/api/v3/policies", params={"filter": json.dumps({"where": {"ownerGroup": "classified"}})}
    ).json()
    assert len(policies) == 1
    policy = policies[0]
    assert policy["manager"] == ["owner@example.org"]
    assert policy["tapeRedundancy"] == "high" and policy["autoArchive"] is False
    assert policy["archiveEmailNotification"] is True and policy["embargoPeriod"] == 3
    # the next dataset of the group takes its availability from the policy
    second = dataset(admin, "classified", classification="AV=low,")
    assert admin.get(f"/api/v3/datasets/{enc(second)}").json()["classification"] == (
        "IN=medium,AV=high,CO=low"
    )


def test_policy_crud_and_access(clients: dict[str, httpx.Client]) -> None:
    admin, deleter, user = clients["admin"], clients["archiveManager"], clients["user1"]
    body = {"ownerGroup": "policy-test", "manager": ["m@example.org"], "tapeRedundancy": "medium"}
    assert user.post("/api/v3/policies", json=body).status_code == 403
    assert deleter.post("/api/v3/policies", json=body).status_code == 403
    created = admin.post("/api/v3/policies", json=body)
    assert created.status_code == 201, created.text
    policy = created.json()
    assert policy["autoArchive"] is True and policy["autoArchiveDelay"] == 7
    assert admin.get(f"/api/v3/policies/{policy['_id']}").json()["tapeRedundancy"] == "medium"
    patched = admin.patch(f"/api/v3/policies/{policy['_id']}", json={"embargoPeriod": 5})
    assert patched.json()["embargoPeriod"] == 5
    count = admin.get(
        "/api/v3/policies/count", params={"where": json.dumps({"ownerGroup": "policy-test"})}
    )
    assert count.json() == {"count": 1}
    where = admin.post(
        "/api/v3/policies/updateWhere",
        json={"ownerGroupList": "policy-test, fresh-group", "data": {"autoArchive": False}},
    )
    assert where.status_code == 200 and where.json() == {"message": "successful policy update"}
    fresh = admin.get(
        "/api/v3/policies", params={"filter": json.dumps({"where": {"ownerGroup": "fresh-group"}})}
    ).json()
    assert fresh[0]["autoArchive"] is False and fresh[0]["manager"] == ["admin@example.org"]
    assert admin.post("/api/v3/policies/updateWhere", json={}).status_code == 400
    bad = admin.post("/api/v3/policies", json={"ownerGroup": "", "autoArchive": "yes"})
    assert bad.json()["message"] == [
        "ownerGroup should not be empty",
        "autoArchive must be a boolean value",
    ]
    assert admin.delete(f"/api/v3/policies/{policy['_id']}").status_code == 403
    assert deleter.delete(f"/api/v3/policies/{policy['_id']}").json()["_id"] == policy["_id"]
    gone = admin.get(f"/api/v3/policies/{policy['_id']}")
    assert gone.status_code == 200 and gone.content == b""


# -- datablocks -------------------------------------------------------------------------


def block(archive_id: str, files: int = 2, packed: int = 50) -> dict[str, Any]:
    return {
        "archiveId": archive_id,
        "size": 100,
        "packedSize": packed,
        "version": "1",
        "dataFileList": [
            {"path": f"f{i}", "size": 50, "time": "2024-01-01T00:00:00Z"} for i in range(files)
        ],
    }


def test_datablock_bookkeeping(clients: dict[str, httpx.Client]) -> None:
    owner, deleter = clients["user1"], clients["archiveManager"]
    pid = dataset(owner, "group1")
    first = owner.post(f"/api/v3/datasets/{enc(pid)}/datablocks", json=block(f"{pid}-a"))
    assert first.status_code == 201, first.text
    assert first.json()["ownerGroup"] == "group1" and first.json()["datasetId"] == pid
    owner.post(
        f"/api/v3/datasets/{enc(pid)}/datablocks", json=block(f"{pid}-b", files=3, packed=70)
    )

    def totals() -> tuple[int, int]:
        doc = owner.get(f"/api/v3/datasets/{enc(pid)}").json()
        return doc["packedSize"], doc["numberOfFilesArchived"]

    assert totals() == (120, 5)
    duplicate = owner.post(f"/api/v3/datasets/{enc(pid)}/datablocks", json=block(f"{pid}-a"))
    assert duplicate.status_code == 409
    assert owner.get(f"/api/v3/datasets/{enc(pid)}/datablocks/count").json() == {"count": 2}
    patched = owner.patch(
        f"/api/v3/datasets/{enc(pid)}/datablocks/{first.json()['_id']}", json={"packedSize": 10}
    )
    assert patched.status_code == 200 and totals() == (80, 5)
    assert (
        owner.delete(f"/api/v3/datasets/{enc(pid)}/datablocks/{first.json()['_id']}").status_code
        == 403
    )
    assert (
        deleter.delete(f"/api/v3/datasets/{enc(pid)}/datablocks/{first.json()['_id']}").status_code
        == 200
    )
    assert totals() == (70, 3)
    assert deleter.delete(f"/api/v3/datasets/{enc(pid)}/datablocks").json() == {"count": 1}
    assert totals() == (0, 0)
    # top level: creating needs a group named in CREATE_DATASET* (or admin)
    assert (
        owner.post("/api/v3/datablocks", json={**block(f"{pid}-c"), "datasetId": pid}).status_code
        == 403
    )
    top = clients["admin"].post("/api/v3/datablocks", json={**block(f"{pid}-c"), "datasetId": pid})
    assert top.status_code == 201 and totals() == (50, 2)
    assert owner.get(f"/api/v3/datablocks/{top.json()['_id']}").status_code == 200
    assert clients["user2"].get(f"/api/v3/datablocks/{top.json()['_id']}").status_code == 401
    assert clients["anonymous"].get("/api/v3/datablocks").status_code == 403
    assert deleter.delete(f"/api/v3/datablocks/{top.json()['_id']}").status_code == 200
    assert totals() == (0, 0)
    bad = owner.post(
        f"/api/v3/datasets/{enc(pid)}/datablocks", json={**block("x"), "dataFileList": []}
    )
    assert bad.status_code == 400 and "dataFileList should not be empty" in bad.json()["message"]


# -- history ----------------------------------------------------------------------------


def test_history_records_dataset_changes(clients: dict[str, httpx.Client]) -> None:
    owner, reader = clients["user1"], clients["user2"]  # group2 may read Dataset history
    pid = dataset(owner, "group1")
    owner.patch(f"/api/v3/datasets/{enc(pid)}", json={"description": "first"})
    owner.patch(f"/api/v3/datasets/{enc(pid)}", json={"description": "second"})
    where = {"subsystem": "Dataset", "documentId": pid}
    page = reader.get("/api/v3/history", params={"filter": json.dumps(where)}).json()
    assert page["count"] == page["totalCount"] == 2 and page["limit"] == 100 and page["skip"] == 0
    newest = page["items"][0]
    assert newest["operation"] == "update" and newest["user"] == "user1"
    assert newest["before"]["description"] == "first" and newest["after"]["description"] == "second"
    assert reader.get("/api/v3/history/count", params={"filter": json.dumps(where)}).json() == {
        "count": 2
    }
    denied = reader.get("/api/v3/history", params={"filter": json.dumps({"subsystem": "Proposal"})})
    assert denied.status_code == 403
    assert owner.get("/api/v3/history", params={"filter": json.dumps(where)}).status_code == 403
    assert clients["anonymous"].get("/api/v3/history", params={"filter": "{}"}).status_code == 401
    assert reader.get("/api/v3/history").status_code == 400
    assert reader.get("/api/v3/history/count", params={"filter": "{}"}).status_code == 400
    clients["archiveManager"].delete(f"/api/v3/datasets/{enc(pid)}")
    everything = clients["admin"].get("/api/v3/history/collection/Dataset").json()
    deleted = [
        i for i in everything["items"] if i["documentId"] == pid and i["operation"] == "delete"
    ]
    assert len(deleted) == 1 and deleted[0]["after"] is None
