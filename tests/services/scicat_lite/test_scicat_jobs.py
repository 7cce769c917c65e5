"""Jobs against a real RabbitMQ and SMTP server: actions, errors, reads and the v3 mapping
(the access matrix is in test_scicat_jobs_access.py)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import httpx
import pika
import pytest
from features_harness import Broker, Mailbox
from lite_harness import LiteServer, account_clients
from lite_harness import new_dataset as dataset

pytestmark = pytest.mark.database

QUEUE = "client.jobs.write.v4"
USERS = ("admin", "ingestor", "archiveManager", "user1", "user2")


@pytest.fixture(scope="module")
def clients(jobs_server: LiteServer) -> dict[str, httpx.Client]:
    return account_clients(jobs_server, USERS)



def drain(broker: Broker) -> list[dict[str, Any]]:
    """Every message waiting on the jobs queue, oldest first."""
    params = pika.ConnectionParameters(
        broker.host,
        broker.port,
        credentials=pika.PlainCredentials(broker.username, broker.password),
    )
    messages = []
    with pika.BlockingConnection(params) as connection:
        channel = connection.channel()
        channel.queue_declare(QUEUE, durable=True)
        while True:
            method, properties, body = channel.basic_get(QUEUE, auto_ack=True)
            if method is None:
                return messages
            assert properties.delivery_mode == 2 and method.routing_key == "jobqueuev4"
            assert method.exchange == "amqp.topic"
            messages.append(json.loads(body))


def archive_job(client: httpx.Client, pid: str, group: str = "group1") -> httpx.Response:
    return client.post(
        "/api/v4/jobs",
        json={
            "type": "archive",
            "ownerGroup": group,
            "jobParams": {"datasetList": [{"pid": pid, "files": []}]},
        },
    )


def test_archive_job_is_published_to_the_broker(
    clients: dict[str, httpx.Client], broker: Broker
) -> None:
    pid = dataset(clients["user1"], "group1")
    drain(broker)
    response = archive_job(clients["user1"], pid)
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["statusCode"] == "jobSubmitted" and job["statusMessage"] == "Job submitted."
    assert job["ownerUser"] == "user1" and job["ownerGroup"] == "group1"
    assert (
        job["contactEmail"] == "user1@example.org"
        and job["configVersion"] == "v1 scicat-lite tests"
    )
    assert job["_id"] == job["id"] and job["jobResultObject"] == {}
    [message] = drain(broker)
    assert message == job  # upstream sends the whole stored job


def test_status_update_sends_mail_and_keeps_no_history(
    clients: dict[str, httpx.Client], broker: Broker, mailbox: Mailbox
) -> None:
    pid = dataset(clients["user1"], "group1")
    job = archive_job(clients["user1"], pid).json()
    before = len(mailbox.messages)
    running = clients["archiveManager"].patch(
        f"/api/v4/jobs/{job['id']}", json={"statusCode": "inProgress", "statusMessage": "copying"}
    )
    assert running.status_code == 200, running.text
    done = (
        clients["archiveManager"]
        .patch(
            f"/api/v4/jobs/{job['id']}",
            json={
                "statusCode": "finishedSuccessful",
                "statusMessage": "done",
                "jobResultObject": {"tapeId": "T1", "executionTime": "2024-02-01T00:00:00Z"},
            },
        )
        .json()
    )
    assert done["jobResultObject"] == {"tapeId": "T1"}
    assert done["jobParams"]["executionTime"] == "2024-02-01T00:00:00Z"
    assert "statusHistory" not in done and done["updatedBy"] == "archiveManager"
    mails = mailbox.wait_for(before + 1)
    assert len(mails) == before + 1
    mail = mails[-1]
    assert mail["To"] == "user1@example.org" and mail["From"] == "scicat@example.org"
    assert mail["Subject"] == "[SciCat] archive job finishedSuccessful"
    assert job["id"] in mail.get_payload(decode=True).decode()
    published = drain(broker)
    assert [m["statusCode"] for m in published][-2:] == ["inProgress", "finishedSuccessful"]


def test_dataset_lifecycle_through_an_archive_job(clients: dict[str, httpx.Client]) -> None:
    """The job never touches the dataset; the archive system PATCHes its lifecycle."""
    owner, archiver = clients["user1"], clients["archiveManager"]
    pid = dataset(owner, "group1")
    encoded = quote(pid, safe="")
    job = archive_job(owner, pid).json()
    assert (
        owner.get(f"/api/v3/datasets/{encoded}").json()["datasetlifecycle"]["archiveStatusMessage"]
        == "datasetCreated"
    )
    archiver.patch(
        f"/api/v4/jobs/{job['id']}",
        json={"statusCode": "finishedSuccessful", "statusMessage": "ok"},
    )
    unchanged = owner.get(f"/api/v3/datasets/{encoded}").json()["datasetlifecycle"]
    assert unchanged["archiveStatusMessage"] == "datasetCreated" and unchanged["archivable"] is True
    # the archive system reports through the dataset (here as admin: archivemanager owns nothing)
    patched = clients["admin"].patch(
        f"/api/v3/datasets/{encoded}/datasetlifecycle",
        json={
            "archiveStatusMessage": "datasetOnArchiveDisk",
            "archivable": False,
            "retrievable": True,
        },
    )
    assert patched.status_code == 200, patched.text
    lifecycle = owner.get(f"/api/v3/datasets/{encoded}/datasetlifecycle").json()
    assert lifecycle["archiveStatusMessage"] == "datasetOnArchiveDisk"
    assert lifecycle["retrievable"] is True and lifecycle["archivable"] is False
    # archiving again is refused by the configuration's validate action ...
    again = archive_job(owner, pid)
    assert again.status_code == 400
    assert again.json() == {
        "status": 400,
        "message": "Invalid request. Invalid value for 'datasetlifecycle.archivable'",
    }
    # ... and a retrieve job is now accepted
    retrieve = owner.post(
        "/api/v4/jobs",
        json={
            "type": "retrieve",
            "ownerGroup": "group1",
            "jobParams": {"datasetList": [{"pid": pid, "files": []}]},
        },
    )
    assert retrieve.status_code == 201, retrieve.text


def test_errors_follow_upstream(clients: dict[str, httpx.Client]) -> None:
    user = clients["user1"]
    assert user.post(
        "/api/v4/jobs", json={"type": "nope", "ownerGroup": "group1", "jobParams": {}}
    ).json() == {"status": 400, "message": "Invalid job type: nope"}
    empty = user.post(
        "/api/v4/jobs",
        json={"type": "archive", "ownerGroup": "group1", "jobParams": {"datasetList": []}},
    )
    assert (
        empty.status_code == 422 and empty.json()["message"] == "List of passed datasets is empty."
    )
    missing = user.post(
        "/api/v4/jobs",
        json={
            "type": "archive",
            "ownerGroup": "group1",
            "jobParams": {"datasetList": [{"pid": "no/such", "files": []}]},
        },
    )
    assert (
        missing.status_code == 422
        and missing.json()["message"] == "Datasets with pid no/such do not exist."
    )
    bad = user.post("/api/v4/jobs", json={"type": 5, "jobParams": [], "extra": 1})
    assert bad.status_code == 400
    assert bad.json()["message"] == [
        "property extra should not exist",
        "type must be a string",
        "jobParams must be an object",
    ]
    pid = dataset(user, "group1")
    files = user.post(
        "/api/v4/jobs",
        json={
            "type": "archive",
            "ownerGroup": "group1",
            "jobParams": {"datasetList": [{"pid": pid, "files": ["a.h5"]}]},
        },
    )
    assert files.status_code == 422
    assert json.loads(files.json()["error"]) == [{"pid": pid, "nonExistFiles": ["a.h5"]}]
    no_group = user.post("/api/v4/jobs", json={"type": "mine", "jobParams": {"reason": "r"}})
    assert no_group.json()["message"] == "Invalid new job. Owner group should be specified."
    refused = user.post(
        "/api/v4/jobs", json={"type": "refused", "ownerGroup": "group1", "jobParams": {}}
    )
    assert refused.status_code == 409 and refused.json() == {
        "status": 409,
        "message": "refused jobs are switched off",
    }
    invalid = user.post(
        "/api/v4/jobs", json={"type": "mine", "ownerGroup": "group1", "jobParams": {"reason": 1}}
    )
    assert invalid.json() == {
        "status": 400,
        "message": "Invalid request. Invalid value for 'jobParams.reason'",
    }
    unknown = clients["archiveManager"].patch(
        "/api/v4/jobs/nope", json={"statusCode": "a", "statusMessage": "b"}
    )
    assert unknown.status_code == 400 and unknown.json()["message"] == "Invalid job id."
    assert clients["anonymous"].get("/api/v4/jobs").status_code == 403


def test_url_action_failure_is_the_remote_status(clients: dict[str, httpx.Client]) -> None:
    response = clients["user1"].post(
        "/api/v4/jobs", json={"type": "callback", "ownerGroup": "group1", "jobParams": {}}
    )
    assert response.status_code == 404
    assert response.json()["message"].startswith("A remote URL call failed with response: ")
    # the job was written before its actions ran, as upstream
    jobs = (
        clients["admin"]
        .get("/api/v4/jobs", params={"filter": json.dumps({"where": {"type": "callback"}})})
        .json()
    )
    assert len(jobs) == 1


def test_reading_jobs(clients: dict[str, httpx.Client]) -> None:
    pid = dataset(clients["user2"], "group2")
    job = (
        clients["user2"]
        .post(
            "/api/v4/jobs",
            json={
                "type": "mine",
                "ownerGroup": "group2",
                "jobParams": {"reason": "r", "datasetList": [{"pid": pid, "files": []}]},
            },
        )
        .json()
    )
    mine = (
        clients["user2"]
        .get("/api/v4/jobs", params={"filter": json.dumps({"include": ["datasets"]})})
        .json()
    )
    assert job["id"] in {j["id"] for j in mine}
    assert all(j["ownerGroup"] == "group2" or j.get("ownerUser") == "user2" for j in mine)
    found = next(j for j in mine if j["id"] == job["id"])
    assert [d["pid"] for d in found["datasets"]] == [pid]
    assert clients["user1"].get(f"/api/v4/jobs/{job['id']}").status_code == 403
    one = clients["user2"].get(
        f"/api/v4/jobs/{job['id']}", params={"filter": json.dumps({"fields": ["id", "type"]})}
    )
    assert one.json() == {"id": job["id"], "type": "mine"}
    bad = clients["user2"].get(
        "/api/v4/jobs", params={"filter": json.dumps({"where": {"_id": "x"}})}
    )
    assert (
        bad.status_code == 400
        and bad.json()["message"] == "Property where._id should not exist in the filter object"
    )
    details = clients["user2"].get("/api/v4/jobs/datasetDetails").json()
    detail = next(j for j in details if j["id"] == job["id"])
    assert detail["datasetDetails"][0]["origdatablocks"] == []
    facet = (
        clients["user2"]
        .get("/api/v4/jobs/fullfacet", params={"facets": json.dumps(["type"])})
        .json()
    )
    counts = {b["_id"]: b["count"] for b in facet[0]["type"]}
    assert counts["mine"] == sum(1 for j in mine if j["type"] == "mine")
    assert clients["user1"].delete(f"/api/v4/jobs/{job['id']}").status_code == 403
    deleted = clients["archiveManager"].delete(f"/api/v4/jobs/{job['id']}")
    assert deleted.status_code == 200 and deleted.json()["id"] == job["id"]
    assert clients["archiveManager"].delete(f"/api/v4/jobs/{job['id']}").json() == {
        "status": 400,
        "message": f"Job id {job['id']} doesn't exist.",
    }


def test_v3_jobs_map_onto_v4(clients: dict[str, httpx.Client], broker: Broker) -> None:
    pid = dataset(clients["user1"], "group1")
    created = clients["user1"].post(
        "/api/v3/jobs",
        json={
            "type": "archive",
            "datasetList": [{"pid": pid, "files": []}],
            "jobParams": {"tapeCopies": "two"},
            "executionTime": "2024-03-01T00:00:00Z",
        },
    )
    assert created.status_code == 201, created.text
    v3 = created.json()
    assert (
        v3["emailJobInitiator"] == "user1@example.org" and v3["jobStatusMessage"] == "jobSubmitted"
    )
    assert v3["datasetList"] == [{"pid": pid, "files": []}]
    assert v3["jobParams"] == {"username": "user1", "tapeCopies": "two"}
    assert v3["executionTime"] == "2024-03-01T00:00:00Z" and "creationTime" in v3
    v4 = clients["user1"].get(f"/api/v4/jobs/{v3['id']}").json()
    assert v4["ownerGroup"] == "group1" and v4["jobParams"]["datasetList"] == v3["datasetList"]
    updated = clients["archiveManager"].patch(
        f"/api/v3/jobs/{v3['id']}", json={"jobStatusMessage": "finishedSuccessful"}
    )
    assert updated.status_code == 200, updated.text
    v4 = clients["user1"].get(f"/api/v4/jobs/{v3['id']}").json()
    assert v4["statusCode"] == v4["statusMessage"] == "finishedSuccessful"
    listed = clients["user1"].get("/api/v3/jobs").json()
    assert v3["id"] in {j["id"] for j in listed} and "statusCode" not in listed[0]
    where = clients["user1"].get(
        "/api/v3/jobs", params={"filter": json.dumps({"where": {"type": "archive"}})}
    )
    assert where.status_code == 400  # v5.2.1's v3 list accepts no where
    drain(broker)


def test_broker_message_on_v3_create_matches_v4_document(
    clients: dict[str, httpx.Client], broker: Broker
) -> None:
    drain(broker)
    pid = dataset(clients["user1"], "group1")
    v3 = (
        clients["user1"]
        .post("/api/v3/jobs", json={"type": "archive", "datasetList": [{"pid": pid, "files": []}]})
        .json()
    )
    deadline = time.monotonic() + 5
    messages: list[dict[str, Any]] = []
    while not messages and time.monotonic() < deadline:
        messages = drain(broker)
    assert [m["id"] for m in messages] == [v3["id"]]
    assert messages[0]["__v"] == 0 and messages[0]["type"] == "archive"
