"""The archive worker's image against the real broker (local build) and a recorded backend double.

The job is published the way backend v5.2.1's rabbitmq action publishes it: assert the durable
queue and topic exchange, bind them, publish the whole job document, persistent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pika
import pytest

from scicatlive import Stack
from scicatlive.engine import Engine
from scicatlive.images.build import build_service_image
from scicatlive.progress import SilentReporter
from scicatlive.stack.load import load_stack
from tests.services.features.stack_state import RunningStack, running
from tests.unit.helpers import write_profile

pytestmark = pytest.mark.docker
STACK = "hf-broker"
OFFSET = 14100
DOUBLE_PORT = 8091 + OFFSET
DOUBLE = f"http://127.0.0.1:{DOUBLE_PORT}"
MANAGER_PASSWORD = "archive-manager-secret"
DOUBLE_SOURCE = Path(__file__).parents[1] / "archive_worker" / "scicat_double.py"


@pytest.fixture(scope="module")
def broker(engine: Engine, feature_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    profile = write_profile(tmp_path_factory.mktemp("broker"), "broker", "services: {rabbitmq: {}}\n")
    handle = Stack(profile, name=STACK, port_offset=OFFSET, engine=engine)
    try:
        handle.up(timeout=300, seed=False)
        yield running(STACK, handle.project, feature_state)
    finally:
        handle.down(volumes=True)


@pytest.fixture(scope="module")
def worker(engine: Engine, broker: RunningStack) -> Iterator[str]:
    service = load_stack("lite-jobs").services["archive-worker"]
    image = build_service_image(engine, service, SilentReporter())
    client = engine.client()
    network = f"{broker.project}_default"
    names = ("hf-scicat-double", "hf-archive-worker")
    for name in names:
        if client.container.exists(name):
            client.container.remove(name, force=True)
    client.container.run(
        image, ["python", "/double/scicat_double.py", "8091", "archiveManager", MANAGER_PASSWORD],
        name=names[0], detach=True, networks=[network], network_aliases=["scicat"],
        publish=[(f"127.0.0.1:{DOUBLE_PORT}", 8091)], volumes=[(str(DOUBLE_SOURCE.parent), "/double", "ro")],
    )
    client.container.run(image, name=names[1], detach=True, networks=[network], envs={
        "AMQP_URL": f"amqp://archive-worker:{broker.secrets['rabbitmq_worker_password']}@rabbitmq:5672/%2F",
        "SCICAT_URL": "http://scicat:8091", "SCICAT_USERNAME": "archiveManager",
        "SCICAT_PASSWORD": MANAGER_PASSWORD, "ARCHIVE_DELAY_SECONDS": "1", "RETRIEVE_DELAY_SECONDS": "1",
    })
    try:
        _wait(lambda: _worker_status(engine, names[1]).get("connected") is True, 90, engine, names[1])
        yield names[1]
    finally:
        for name in names:
            client.container.remove(name, force=True)


def _worker_status(engine: Engine, name: str) -> dict[str, Any]:
    try:
        return dict(json.loads(engine.client().container.execute(
            name, ["curl", "-fsS", "http://127.0.0.1:8090/status"])))
    except Exception:  # noqa: BLE001 - not up yet
        return {}


def _wait(condition: Any, seconds: float, engine: Engine | None = None, name: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    logs = engine.client().container.logs(name)[-3000:] if engine else ""
    raise AssertionError(f"timed out after {seconds} s\n{logs}")


def _publish_like_the_backend(broker: RunningStack, job: dict[str, Any]) -> None:
    credentials = pika.PlainCredentials("scicat", broker.secrets["rabbitmq_password"])
    with pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672 + OFFSET, "/", credentials)) as conn:
        channel = conn.channel()
        channel.queue_declare("client.jobs.write.v4", durable=True)
        channel.exchange_declare("amqp.topic", "topic", durable=True)
        channel.queue_bind("client.jobs.write.v4", "amqp.topic", "jobqueuev4")
        channel.basic_publish("amqp.topic", "jobqueuev4", json.dumps(job).encode(),
                              pika.BasicProperties(delivery_mode=2))


def _job(job_id: str, job_type: str, *pids: str) -> dict[str, Any]:
    now = "2026-11-29T12:00:00.000Z"
    return {"_id": job_id, "id": job_id, "type": job_type, "ownerUser": "user1", "ownerGroup": "group1",
            "accessGroups": [], "isPublished": False, "statusCode": "jobSubmitted",
            "statusMessage": "Job submitted.", "contactEmail": "user1@scicatlive.invalid",
            "configVersion": "v0.1.2 2025-04-17", "jobResultObject": {},
            "jobParams": {"datasetList": [{"pid": pid, "files": []} for pid in pids]},
            "createdBy": "user1", "updatedBy": "user1", "createdAt": now, "updatedAt": now, "__v": 0}


def _state() -> dict[str, Any]:
    state = dict(httpx.get(f"{DOUBLE}/double/state").json())
    state["requests"] = [r for r in state["requests"] if not r["path"].startswith("/double/")]
    return state


def _run(broker: RunningStack, job: dict[str, Any]) -> tuple[dict[str, Any], float]:
    httpx.post(f"{DOUBLE}/double/jobs", json=job).raise_for_status()
    started = time.monotonic()
    _publish_like_the_backend(broker, job)
    _wait(lambda: _state()["jobs"][job["id"]]["statusCode"].startswith("finished"), 60)
    return _state(), time.monotonic() - started


def test_the_worker_archives_then_retrieves_through_the_api(broker: RunningStack, worker: str,
                                                           engine: Engine) -> None:
    archive = _job("job-archive-1", "archive", "PID.SAMPLE.PREFIX/d1", "PID.SAMPLE.PREFIX/d2")
    state, seconds = _run(broker, archive)
    job = state["jobs"]["job-archive-1"]
    assert job["history"] == ["inProgress", "finishedSuccessful"]
    assert job["statusMessage"] == "2 of 2 dataset(s) archived."
    for pid in ("PID.SAMPLE.PREFIX/d1", "PID.SAMPLE.PREFIX/d2"):
        assert state["datasets"][pid]["archiveStatusMessage"] == "datasetOnArchiveDisk"
        assert state["datasets"][pid]["retrievable"] is True
    assert 1 <= seconds < 15, f"round trip {seconds:.2f} s"
    print(f"archive job round trip through RabbitMQ: {seconds:.2f} s (1 s archive delay)")

    retrieve = _job("job-retrieve-1", "retrieve", "PID.SAMPLE.PREFIX/d1")
    state, _ = _run(broker, retrieve)
    assert state["jobs"]["job-retrieve-1"]["statusCode"] == "finishedSuccessful"
    assert state["datasets"]["PID.SAMPLE.PREFIX/d1"]["retrieveStatusMessage"] == "datasetRetrieved"


def test_updates_coming_back_through_the_queue_are_not_work(broker: RunningStack, worker: str,
                                                           engine: Engine) -> None:
    before = _worker_status(engine, worker)
    requests_before = len(_state()["requests"])
    echo = {**_job("job-echo", "archive", "PID.SAMPLE.PREFIX/d9"), "statusCode": "inProgress"}
    _publish_like_the_backend(broker, echo)
    _publish_like_the_backend(broker, _job("job-public", "public", "PID.SAMPLE.PREFIX/d9"))
    _wait(lambda: _worker_status(engine, worker)["ignored"] >= before["ignored"] + 2, 20)
    assert len(_state()["requests"]) == requests_before


def test_a_message_that_is_not_a_job_is_dropped(broker: RunningStack, worker: str, engine: Engine) -> None:
    before = _worker_status(engine, worker)["rejected"]
    credentials = pika.PlainCredentials("scicat", broker.secrets["rabbitmq_password"])
    with pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672 + OFFSET, "/", credentials)) as conn:
        conn.channel().basic_publish("amqp.topic", "jobqueuev4", b"not json")
    _wait(lambda: _worker_status(engine, worker)["rejected"] == before + 1, 20)
    assert _worker_status(engine, worker)["connected"] is True
