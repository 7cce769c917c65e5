"""The access matrix: anonymous / group A / group B / admin × read / create / update / delete."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database


def _dataset(owner_group: str, **extra: object) -> dict[str, object]:
    return {
        "ownerGroup": owner_group,
        "owner": "x",
        "contactEmail": "x@example.org",
        "sourceFolder": "/d/x",
        "creationTime": "2024-01-01T00:00:00Z",
        "principalInvestigator": "x",
        "creationLocation": "/l",
        "type": "raw",
        **extra,
    }


@pytest.fixture(scope="module")
def clients(lite_server: LiteServer) -> dict[str, httpx.Client]:
    return {
        "anonymous": lite_server.client(),
        "group1": lite_server.client("user1"),
        "group2": lite_server.client("user2"),
        "admin": lite_server.client("admin"),
        "deleter": lite_server.client("archiveManager"),
    }


@pytest.fixture()
def private_pid(clients: dict[str, httpx.Client]) -> str:
    response = clients["group1"].post("/api/v3/datasets", json=_dataset("group1"))
    assert response.status_code == 201, response.text
    return quote(response.json()["pid"], safe="")


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 403), ("group1", 201), ("group2", 403), ("admin", 201)]
)
def test_create_for_group1(clients: dict[str, httpx.Client], who: str, status: int) -> None:
    response = clients[who].post("/api/v3/datasets", json=_dataset("group1"))
    assert response.status_code == status, response.text
    if status == 403:
        expected = (
            "Forbidden resource" if who == "anonymous" else "Unauthorized to create this dataset"
        )
        assert response.json() == {"statusCode": 403, "message": expected, "error": "Forbidden"}


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 403), ("group1", 200), ("group2", 403), ("admin", 200)]
)
def test_read_private(
    clients: dict[str, httpx.Client], private_pid: str, who: str, status: int
) -> None:
    assert clients[who].get(f"/api/v3/datasets/{private_pid}").status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 403), ("group1", 200), ("group2", 403), ("admin", 200)]
)
def test_update_private(
    clients: dict[str, httpx.Client], private_pid: str, who: str, status: int
) -> None:
    response = clients[who].patch(f"/api/v3/datasets/{private_pid}", json={"description": "d"})
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 403), ("group1", 403), ("group2", 403), ("admin", 403), ("deleter", 200)],
)
def test_delete(clients: dict[str, httpx.Client], private_pid: str, who: str, status: int) -> None:
    assert clients[who].delete(f"/api/v3/datasets/{private_pid}").status_code == status


def test_lists_follow_visibility(clients: dict[str, httpx.Client]) -> None:
    shared = (
        clients["group1"]
        .post("/api/v3/datasets", json=_dataset("group1", accessGroups=["group2"]))
        .json()
    )
    published = (
        clients["group1"].post("/api/v3/datasets", json=_dataset("group1", isPublished=True)).json()
    )
    private = clients["group1"].post("/api/v3/datasets", json=_dataset("group1")).json()
    by_email = (
        clients["group1"]
        .post("/api/v3/datasets", json=_dataset("group1", sharedWith=["user2@example.org"]))
        .json()
    )

    def visible(who: str) -> set[str]:
        return {
            d["pid"]
            for d in clients[who]
            .get("/api/v3/datasets", params={"filter": '{"limits":{"limit":10000}}'})
            .json()
        }

    mine = {shared["pid"], published["pid"], private["pid"], by_email["pid"]}
    assert mine <= visible("group1") and mine <= visible("admin")
    assert visible("group2") & mine == {shared["pid"], published["pid"], by_email["pid"]}
    assert visible("anonymous") & mine == {published["pid"]}


def test_v4_is_closed_to_anonymous(clients: dict[str, httpx.Client]) -> None:
    assert clients["anonymous"].get("/api/v4/datasets").status_code == 403
    assert clients["anonymous"].get("/api/v4/datasets/public").status_code == 200


def test_proposals_need_proposal_groups(clients: dict[str, httpx.Client]) -> None:
    body = {
        "proposalId": "p-access",
        "email": "a@example.org",
        "title": "t",
        "ownerGroup": "group1",
    }
    assert clients["group1"].post("/api/v3/proposals", json=body).status_code == 403
    assert clients["anonymous"].post("/api/v3/proposals", json=body).status_code == 403


def test_samples_follow_sample_groups(clients: dict[str, httpx.Client]) -> None:
    body = {"sampleName": "s", "ownerGroup": "group1"}
    assert clients["group1"].post("/api/v3/samples", json=body).status_code == 403
    assert clients["admin"].post("/api/v3/samples", json=body).status_code == 201


def test_expired_and_bad_tokens(lite_server: LiteServer) -> None:
    bad = httpx.get(
        f"{lite_server.url}/api/v3/auth/whoami", headers={"Authorization": "Bearer nonsense"}
    )
    assert bad.status_code == 200 and bad.content == b""
    wrong = httpx.post(
        f"{lite_server.url}/api/v3/auth/login", json={"username": "admin", "password": "wrong"}
    )
    assert wrong.status_code == 401 and wrong.json() == {
        "statusCode": 401,
        "message": "Unauthorized",
    }
    logout = httpx.post(f"{lite_server.url}/api/v3/auth/logout")
    assert logout.status_code == 401


def test_inq_and_nin_match_array_elements_and_missing_fields(clients: dict[str, httpx.Client]) -> None:
    """Mongo's $in on an array field matches when one element is listed; $nin keeps the
    documents none of whose elements is listed."""
    admin = clients["admin"]
    tag = f"inq-{id(admin)}"
    tagged = admin.post("/api/v3/datasets", json=_dataset("group1", keywords=[tag, "beta"], datasetName=tag))
    untagged = admin.post("/api/v3/datasets", json=_dataset("group1", datasetName=tag))
    assert tagged.status_code == untagged.status_code == 201

    def names(where: dict[str, object]) -> list[str]:
        found = admin.get("/api/v3/datasets", params={"filter": json.dumps({"where": {"datasetName": tag, **where}})})
        assert found.status_code == 200, found.text
        return sorted(d["pid"] for d in found.json())

    assert names({"keywords": {"inq": ["nope", tag]}}) == [tagged.json()["pid"]]
    assert names({"keywords": {"nin": [tag]}}) == [untagged.json()["pid"]]
    assert names({"keywords": {"inq": []}}) == []
