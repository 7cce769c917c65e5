"""The archive worker's job logic against a recorded double of backend v5.2.1's routes."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from archive_worker.jobs import Behaviour, carry_out, dataset_pids
from archive_worker.scicat import ScicatClient, ScicatError
from archive_worker.settings import Settings, SettingsError
from tests.services.archive_worker.scicat_double import create_double

pytestmark = pytest.mark.asyncio
PASSWORD = "archive-manager-password"


def _job(job_type: str, *pids: str, status: str = "jobSubmitted") -> dict[str, Any]:
    return {"_id": f"job-{job_type}", "id": f"job-{job_type}", "type": job_type, "statusCode": status,
            "statusMessage": "Job submitted.", "ownerGroup": "group1",
            "jobParams": {"datasetList": [{"pid": p, "files": []} for p in pids]}}


@pytest_asyncio.fixture
async def world() -> AsyncIterator[tuple[Any, ScicatClient, httpx.AsyncClient]]:
    double = create_double({"archiveManager": PASSWORD})
    transport = httpx.ASGITransport(app=double)
    client = ScicatClient("http://scicat", "archiveManager", PASSWORD, transport=transport)
    control = httpx.AsyncClient(transport=transport, base_url="http://scicat")
    yield double.state.double, client, control
    await client.close()
    await control.aclose()


async def _submit(control: httpx.AsyncClient, job: dict[str, Any]) -> None:
    (await control.post("/double/jobs", json=job)).raise_for_status()


NO_DELAY = Behaviour(archive_delay=0, retrieve_delay=0)


async def test_archive_moves_job_and_lifecycles_like_an_archive_system(world: Any) -> None:
    state, client, control = world
    job = _job("archive", "PID.SAMPLE.PREFIX/a", "PID.SAMPLE.PREFIX/b")
    await _submit(control, job)
    outcome = await carry_out(client, job, NO_DELAY)
    assert outcome.status == "finishedSuccessful"
    stored = state["jobs"][job["id"]]
    assert stored["history"] == ["inProgress", "finishedSuccessful"]
    assert stored["statusMessage"] == "2 of 2 dataset(s) archived."
    assert [d["result"] for d in stored["jobResultObject"]["datasets"]] == ["archived", "archived"]
    for pid in ("PID.SAMPLE.PREFIX/a", "PID.SAMPLE.PREFIX/b"):
        lifecycle = state["datasets"][pid]
        assert lifecycle["archiveStatusMessage"] == "datasetOnArchiveDisk"
        assert lifecycle["retrievable"] is True and lifecycle["archivable"] is False
        assert lifecycle["archiveReturnMessage"]["jobId"] == job["id"]
    patches = [r for r in state["requests"] if r["method"] == "PATCH" and "datasetlifecycle" in r["path"]]
    assert json.loads(patches[0]["body"]) == {"archivable": False, "archiveStatusMessage": "started"}
    # The pid's slash travels encoded, as one path segment.
    assert patches[0]["path"] == "/api/v4/datasets/PID.SAMPLE.PREFIX/a/datasetlifecycle"


async def test_retrieve_needs_an_archived_dataset(world: Any) -> None:
    state, client, control = world
    archive = _job("archive", "p/archived")
    await _submit(control, archive)
    await carry_out(client, archive, NO_DELAY)
    retrieve = _job("retrieve", "p/archived", "p/never-archived")
    await _submit(control, retrieve)
    outcome = await carry_out(client, retrieve, NO_DELAY)
    assert outcome.status == "finishedWithDatasetErrors"
    assert state["datasets"]["p/archived"]["retrieveStatusMessage"] == "datasetRetrieved"
    assert state["datasets"]["p/never-archived"]["retrieveStatusMessage"] == ""
    assert outcome.datasets["p/never-archived"].startswith("not retrievable")
    assert "Failed: p/never-archived" in state["jobs"][retrieve["id"]]["statusMessage"]


async def test_failure_rate_one_fails_every_dataset(world: Any) -> None:
    state, client, control = world
    job = _job("archive", "p/x", "p/y")
    await _submit(control, job)
    outcome = await carry_out(client, job, Behaviour(0, 0, failure_rate=1.0, rng=random.Random(1)))
    assert outcome.status == "finishedUnsuccessful"
    for pid in ("p/x", "p/y"):
        assert state["datasets"][pid]["archiveStatusMessage"] == "scheduleArchiveJobFailed"
        assert state["datasets"][pid]["archivable"] is True


async def test_failure_rate_is_a_rate(world: Any) -> None:
    _, client, control = world
    behaviour = Behaviour(0, 0, failure_rate=0.3, rng=random.Random(7))
    failures = sum(behaviour.fails() for _ in range(2000))
    assert 500 < failures < 700


async def test_a_job_without_datasets_fails_cleanly(world: Any) -> None:
    state, client, control = world
    job = _job("archive")
    state["jobs"][job["id"]] = job
    outcome = await carry_out(client, job, NO_DELAY)
    assert outcome.status == "finishedUnsuccessful"
    assert state["jobs"][job["id"]]["statusMessage"] == "The job lists no dataset."


async def test_an_expired_token_is_renewed_once(world: Any) -> None:
    state, client, control = world
    job = _job("archive", "p/t")
    await _submit(control, job)
    await client.login()
    state["expire_next"] = True
    outcome = await carry_out(client, job, NO_DELAY)
    assert outcome.status == "finishedSuccessful"
    logins = [r for r in state["requests"] if r["path"] == "/api/v3/auth/login"]
    assert len(logins) == 2


async def test_a_refused_dataset_is_reported_not_raised(world: Any) -> None:
    state, client, control = world
    job = _job("archive", "p/ok")
    await _submit(control, job)
    job["jobParams"]["datasetList"].append({"pid": "p/not-mine", "files": []})
    outcome = await carry_out(client, job, NO_DELAY)
    assert outcome.status == "finishedWithDatasetErrors"
    assert outcome.datasets["p/not-mine"].startswith("refused: GET")


async def test_wrong_password_is_a_scicat_error() -> None:
    double = create_double({"archiveManager": PASSWORD})
    client = ScicatClient("http://scicat", "archiveManager", "wrong",
                          transport=httpx.ASGITransport(app=double))
    with pytest.raises(ScicatError) as caught:
        await client.login()
    assert caught.value.status == 401
    await client.close()


async def test_dataset_pids_read_v4_and_v3_lists() -> None:
    assert dataset_pids(_job("archive", "a", "b")) == ["a", "b"]
    assert dataset_pids({"datasetList": [{"pid": "c", "files": []}]}) == ["c"]
    assert dataset_pids({"jobParams": {}}) == []


async def test_settings_name_the_variable() -> None:
    base = {"AMQP_URL": "amqp://u:p@rabbitmq:5672/%2F", "SCICAT_URL": "http://backend:3000",
            "SCICAT_USERNAME": "archiveManager", "SCICAT_PASSWORD": "x"}
    assert Settings.from_env(base).failure_rate == 0
    with pytest.raises(SettingsError, match="AMQP_URL is required"):
        Settings.from_env({k: v for k, v in base.items() if k != "AMQP_URL"})
    with pytest.raises(SettingsError, match="FAILURE_RATE is invalid"):
        Settings.from_env({**base, "FAILURE_RATE": "1.5"})
    with pytest.raises(SettingsError, match="ARCHIVE_DELAY_SECONDS is invalid"):
        Settings.from_env({**base, "ARCHIVE_DELAY_SECONDS": "soon"})
    with pytest.raises(SettingsError, match="SCICAT_URL must be"):
        Settings.from_env({**base, "SCICAT_URL": "backend:3000"})
