"""Who may create and update jobs of each type (the job config's auth values), as
``casl-ability.factory.ts`` at v5.2.1 decides it: the access matrix of the jobs routes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from lite_harness import LiteServer, account_clients
from lite_harness import new_dataset as dataset

pytestmark = pytest.mark.database

USERS = ("admin", "ingestor", "archiveManager", "user1", "user2")


@pytest.fixture(scope="module")
def clients(jobs_server: LiteServer) -> dict[str, httpx.Client]:
    return account_clients(jobs_server, USERS)


@pytest.mark.parametrize(
    ("job_type", "who", "group", "status"),
    [
        ("archive", "user1", "group1", 201),
        ("archive", "user2", "group2", 403),  # not the dataset's owner group
        ("archive", "anonymous", None, 401),  # #datasetOwner asks for a user first
        ("archive", "admin", "group1", 201),
        ("mine", "user2", "group2", 201),
        ("mine", "anonymous", None, 403),
        ("team", "user1", "group1", 201),
        ("team", "user2", "group2", 403),
        ("admin_only", "user1", "group1", 403),
        ("admin_only", "admin", "group1", 201),
        ("admin_only", "ingestor", "group1", 201),  # CREATE_JOB_PRIVILEGED_GROUPS
        ("reset", "archiveManager", "archivemanager", 201),
        ("reset", "user1", "group1", 403),
        ("anything", "anonymous", None, 201),
    ],
)
def test_create_access(
    clients: dict[str, httpx.Client], job_type: str, who: str, group: str | None, status: int
) -> None:
    pid = dataset(clients["user1"], "group1")
    body: dict[str, Any] = {
        "type": job_type,
        "jobParams": {"datasetList": [{"pid": pid, "files": []}], "reason": "r"},
    }
    if group:
        body["ownerGroup"] = group
    if who == "anonymous":
        body["contactEmail"] = "someone@example.org"
    response = clients[who].post("/api/v4/jobs", json=body)
    assert response.status_code == status, response.text


def test_anonymous_create_is_refused_at_the_endpoint_only_when_no_type_allows_it(
    clients: dict[str, httpx.Client],
) -> None:
    response = clients["anonymous"].post("/api/v4/jobs", json={"type": "mine", "jobParams": {}})
    assert response.status_code == 403
    assert response.json() == {
        "statusCode": 403,
        "message": "Unauthorized to create this job.",
        "error": "Forbidden",
    }


@pytest.mark.parametrize(
    ("job_type", "who", "status"),
    [
        ("archive", "archiveManager", 200),
        ("archive", "user1", 403),
        ("archive", "admin", 200),
        ("mine", "user1", 200),
        ("mine", "user2", 403),
        ("team", "user1", 200),
        ("team", "user2", 403),
        ("admin_only", "user1", 403),
        ("admin_only", "admin", 200),
        ("admin_only", "ingestor", 403),  # create-privileged only
        ("anything", "anonymous", 403),  # the job has an owner group
    ],
)
def test_update_access(
    clients: dict[str, httpx.Client], job_type: str, who: str, status: int
) -> None:
    pid = dataset(clients["user1"], "group1")
    body = {
        "type": job_type,
        "ownerGroup": "group1",
        "jobParams": {"datasetList": [{"pid": pid, "files": []}], "reason": "r"},
    }
    created = clients["admin" if job_type == "admin_only" else "user1"].post(
        "/api/v4/jobs",
        json={**body, **({"ownerUser": "user1"} if job_type == "admin_only" else {})},
    )
    assert created.status_code == 201, created.text
    response = clients[who].patch(
        f"/api/v4/jobs/{created.json()['id']}", json={"statusCode": "s", "statusMessage": "m"}
    )
    assert response.status_code == status, response.text
