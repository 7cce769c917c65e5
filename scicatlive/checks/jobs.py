"""jobs.archive and jobs.broker: a job goes through the broker, and an archive job is carried out.

``jobs.broker`` reads RabbitMQ's management API: the jobs queue and its binding are
there, and a job the backend creates is published to the exchange with SciCat's
routing key, persistent, with the whole job as its body. It sees the message on a
queue of its own bound like the jobs queue (the archive worker empties the jobs
queue as soon as a message arrives), and removes that queue again.

``jobs.archive`` creates a dataset and, as its owner, an archive job; the archive
worker must finish the job within :data:`ARCHIVE_BOUND_SECONDS` and leave the
dataset's lifecycle saying it is on the archive disk and retrievable.

Both delete what they made: the job (DELETE_JOB_GROUPS: ``archiveManager`` on
stacks started here) and the dataset (DELETE_GROUPS).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import quote

import httpx

from scicatlive.checks.context import CHECK_TIMEOUT, CheckContext
from scicatlive.checks.datasets import DELETER, WRITER, Made, create_dataset, marker_word
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.http import Session, describe
from scicatlive.clients.scicat import V3, V4, encode_pid
from scicatlive.clients.target import Broker
from scicatlive.stack.jobs_files import JOB_EXCHANGE, JOB_QUEUE, JOB_ROUTING_KEY

OWNER, OWNER_GROUP = "user1", "group1"
ARCHIVE_BOUND_SECONDS = 60.0
MESSAGE_BOUND_SECONDS = 10.0
POLL_SECONDS = 0.25
FINISHED = "finished"
VHOST = "%2F"


# -- the broker's management API ---------------------------------------------------------------


class Management:
    """RabbitMQ's HTTP management API as one administrator."""

    def __init__(self, broker: Broker, transport: httpx.BaseTransport | None) -> None:
        if broker.password is None:
            raise CheckSkipped(f"no password for the RabbitMQ user {broker.username} (--rabbitmq-password)")
        self.url = broker.url
        self._client = httpx.Client(
            base_url=broker.url, auth=(broker.username, broker.password.get_secret_value()),
            timeout=CHECK_TIMEOUT, transport=transport,
        )  # fmt: skip

    def close(self) -> None:
        self._client.close()

    def send(self, operation: str, method: str, path: str, body: Any = None) -> httpx.Response:
        try:
            return self._client.request(method, path, json=body)
        except httpx.TransportError as error:
            raise CheckFailed(f"{operation}: RabbitMQ management at {self.url} did not answer ({type(error).__name__})") from None

    def expect(self, operation: str, method: str, path: str, body: Any = None, status: tuple[int, ...] = (200,)) -> Any:
        answer = self.send(operation, method, path, body)
        if answer.status_code not in status:
            raise CheckFailed(f"{operation}: expected {' or '.join(map(str, status))}, got {describe(answer)}")
        return answer.json() if answer.content else None


def _management(ctx: CheckContext) -> Management:
    if ctx.target.broker is None:
        raise CheckSkipped("no RabbitMQ management API in the target (--rabbitmq-url)")
    return Management(ctx.target.broker, ctx.transport)


def _queue_path(name: str) -> str:
    return f"/api/queues/{VHOST}/{quote(name, safe='')}"


def _check_jobs_queue(api: Management) -> dict[str, Any]:
    queue: dict[str, Any] = api.expect(f"read queue {JOB_QUEUE}", "GET", _queue_path(JOB_QUEUE))
    if queue.get("durable") is not True:
        raise CheckFailed(f"queue {JOB_QUEUE}: expected durable, found durable={queue.get('durable')!r}")
    bindings = api.expect(f"read the bindings of {JOB_EXCHANGE}", "GET", f"/api/exchanges/{VHOST}/{JOB_EXCHANGE}/bindings/source")
    found = sorted((b.get("destination"), b.get("routing_key")) for b in bindings or [])
    if (JOB_QUEUE, JOB_ROUTING_KEY) not in found:
        raise CheckFailed(f"exchange {JOB_EXCHANGE}: expected a binding to {JOB_QUEUE} with key {JOB_ROUTING_KEY}, found {found}")
    return queue


# -- jobs on the backend -----------------------------------------------------------------------


def _job_id(job: Any) -> str:
    identifier = job.get("id") or job.get("_id") if isinstance(job, dict) else None
    if not identifier:
        raise CheckFailed(f"create job: expected the new job with its id, found {str(job)[:200]}")
    return str(identifier)


def create_job(client: Session, who: str, body: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = client.expect(f"create a {body['type']} job as {who}", "POST", f"{V4}/jobs", body=body, status=(201,))
    _job_id(job)
    return job


def delete_job(ctx: CheckContext, job_id: str | None) -> str:
    """Delete the check's job; the note says what was left when the backend forbids it."""
    if job_id is None:
        return ""
    answer = ctx.scicat(DELETER).send(f"delete job {job_id}", "DELETE", f"{V4}/jobs/{quote(job_id, safe='')}")
    if answer.status_code in (200, 204, 404):
        return ""
    return f"; job {job_id} left ({DELETER} may not delete jobs: {answer.status_code})"


# -- jobs.broker -------------------------------------------------------------------------------


def jobs_broker(ctx: CheckContext) -> str:
    ctx.require_accounts(OWNER, DELETER)
    api = _management(ctx)
    probe = f"{ctx.run_id}-{secrets.token_hex(2)}"
    job_id: str | None = None
    try:
        queue = _check_jobs_queue(api)
        # x-expires removes the probe even if this run dies before it cleans up.
        api.expect(f"declare queue {probe}", "PUT", _queue_path(probe),
                   {"durable": False, "auto_delete": False, "arguments": {"x-expires": 600_000}}, (201, 204))  # fmt: skip
        api.expect(f"bind {probe} to {JOB_EXCHANGE}", "POST", f"/api/bindings/{VHOST}/e/{JOB_EXCHANGE}/q/{quote(probe, safe='')}",
                   {"routing_key": JOB_ROUTING_KEY, "arguments": {}}, (201,))  # fmt: skip
        body = {"type": "public", "ownerGroup": OWNER_GROUP, "jobParams": {"scicatliveCheck": ctx.run_id}}
        job = create_job(ctx.scicat(OWNER), OWNER, body)
        job_id = _job_id(job)
        message = _await_message(api, probe, job_id)
        _compare_message(message, job)
    finally:
        api.send(f"delete queue {probe}", "DELETE", _queue_path(probe))
        api.close()
        left = delete_job(ctx, job_id)
    consumers = queue.get("consumers", 0)
    return (f"job {job_id} was published to {JOB_EXCHANGE} with key {JOB_ROUTING_KEY}, persistent, the job as its body; "
            f"{JOB_QUEUE} is durable with {consumers} consumer(s){left}")  # fmt: skip


def _await_message(api: Management, queue: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + MESSAGE_BOUND_SECONDS
    seen: list[str] = []
    while True:
        messages = api.expect(f"read queue {queue}", "POST", f"{_queue_path(queue)}/get",
                              {"count": 20, "ackmode": "ack_requeue_false", "encoding": "auto"})  # fmt: skip
        for message in messages or []:
            payload = _payload(message)
            if isinstance(payload, dict) and str(payload.get("id") or payload.get("_id")) == job_id:
                message["body"] = payload
                return dict(message)
            seen.append(str(payload)[:80])
        if time.monotonic() > deadline:
            others = f"; other messages: {seen[:3]}" if seen else ""
            raise CheckFailed(f"job {job_id}: expected its message on {JOB_EXCHANGE} with key {JOB_ROUTING_KEY} "
                              f"within {MESSAGE_BOUND_SECONDS:.0f} s, found none{others}")  # fmt: skip
        time.sleep(POLL_SECONDS)


def _payload(message: dict[str, Any]) -> Any:
    raw = message.get("payload", "")
    if message.get("payload_encoding") == "base64":
        import base64

        raw = base64.b64decode(raw).decode("utf-8", "replace")
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def _compare_message(message: dict[str, Any], job: dict[str, Any]) -> None:
    problems = []
    if message.get("exchange") != JOB_EXCHANGE or message.get("routing_key") != JOB_ROUTING_KEY:
        problems.append(f"expected exchange {JOB_EXCHANGE} and key {JOB_ROUTING_KEY}, "
                        f"found {message.get('exchange')!r} and {message.get('routing_key')!r}")  # fmt: skip
    mode = (message.get("properties") or {}).get("delivery_mode")
    if mode != 2:
        problems.append(f"expected a persistent message (delivery_mode 2), found {mode!r}")
    body = message["body"]
    for key in ("type", "statusCode", "ownerGroup", "jobParams"):
        if body.get(key) != job.get(key):
            problems.append(f"body.{key}: expected {job.get(key)!r} (the job), found {body.get(key)!r}")
    if problems:
        raise CheckFailed(f"message of job {job.get('id')}: " + "; ".join(problems))


# -- jobs.archive ------------------------------------------------------------------------------


def jobs_archive(ctx: CheckContext) -> str:
    ctx.require_accounts(WRITER, OWNER, DELETER)
    made = Made()
    job_id: str | None = None
    try:
        create_dataset(ctx, made, marker_word())
        pid = made.pid or ""
        started = time.monotonic()
        body = {"type": "archive", "ownerGroup": OWNER_GROUP, "jobParams": {"datasetList": [{"pid": pid, "files": []}]}}
        job_id = _job_id(create_job(ctx.scicat(OWNER), f"{OWNER} (owner of {pid})", body))
        job = _await_finished(ctx, job_id)
        seconds = time.monotonic() - started
        if job.get("statusCode") != "finishedSuccessful":
            results = (job.get("jobResultObject") or {}).get("datasets")
            raise CheckFailed(f"archive job {job_id}: expected statusCode 'finishedSuccessful', found "
                              f"{job.get('statusCode')!r} ({job.get('statusMessage')!r})"
                              + (f"; the archive system says {results}" if results else ""))  # fmt: skip
        _check_lifecycle(ctx, pid)
    finally:
        left = delete_job(ctx, job_id)
        made.cleanup(ctx.scicat(WRITER), ctx.scicat(DELETER))
    return (f"archive job {job_id} finished in {seconds:.1f} s (bound {ARCHIVE_BOUND_SECONDS:.0f} s); "
            f"dataset {pid} is datasetOnArchiveDisk and retrievable{left}")  # fmt: skip


def _await_finished(ctx: CheckContext, job_id: str) -> dict[str, Any]:
    owner = ctx.scicat(OWNER)
    deadline = time.monotonic() + ARCHIVE_BOUND_SECONDS
    while True:
        job: dict[str, Any] = owner.expect(f"read job {job_id} as {OWNER}", "GET", f"{V4}/jobs/{quote(job_id, safe='')}", status=(200,))
        if str(job.get("statusCode", "")).startswith(FINISHED):
            return job
        if time.monotonic() > deadline:
            raise CheckFailed(f"archive job {job_id}: expected a finished status within {ARCHIVE_BOUND_SECONDS:.0f} s, "
                              f"found {job.get('statusCode')!r} ({job.get('statusMessage')!r}){_worker_hint(ctx)}")  # fmt: skip
        time.sleep(POLL_SECONDS)


def _worker_hint(ctx: CheckContext) -> str:
    """How many consumers the jobs queue has, when the broker can be asked."""
    if ctx.target.broker is None or ctx.target.broker.password is None:
        return ""
    api = Management(ctx.target.broker, ctx.transport)
    try:
        answer = api.send("read the jobs queue", "GET", _queue_path(JOB_QUEUE))
        consumers = answer.json().get("consumers") if answer.status_code == 200 else None
    except (CheckFailed, ValueError):
        consumers = None
    finally:
        api.close()
    return "" if consumers is None else f"; {JOB_QUEUE} has {consumers} consumer(s) (the archive worker)"


def _check_lifecycle(ctx: CheckContext, pid: str) -> None:
    dataset = ctx.scicat(OWNER).expect(f"read dataset {pid} as {OWNER}", "GET", f"{V3}/datasets/{encode_pid(pid)}", status=(200,))
    lifecycle = (dataset or {}).get("datasetlifecycle") or {}
    expected = {"archiveStatusMessage": "datasetOnArchiveDisk", "retrievable": True, "archivable": False}
    wrong = {k: lifecycle.get(k) for k, v in expected.items() if lifecycle.get(k) != v}
    if wrong:
        raise CheckFailed(f"dataset {pid} after its archive job: expected datasetlifecycle {expected}, found {wrong}")


NEEDS_JOBS: frozenset[Any] = frozenset({"jobs"})
CHECKS = [
    Check("jobs.broker", "a job the backend creates is on RabbitMQ: exchange, routing key, persistent, the job as body",
          jobs_broker, writes=True, needs=NEEDS_JOBS),
    Check("jobs.archive", "an archive job by the dataset's owner is finished by the archive worker in bounded time; "
          "the dataset's lifecycle says archived", jobs_archive, writes=True, needs=NEEDS_JOBS),
]  # fmt: skip
