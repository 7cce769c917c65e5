"""What an archive system does with a SciCat job, through the API only.

The vocabulary is the one SciCat's archive systems use (ScicatArchiveMock, the
ETH/PSI archiver): a job goes `inProgress`, then `finishedSuccessful`,
`finishedWithDatasetErrors` or `finishedUnsuccessful`; a dataset's lifecycle goes
`started` → `datasetOnArchiveDisk` (or `scheduleArchiveJobFailed`) when archived and
`started` → `datasetRetrieved` (or `datasetRetrievalFailed`) when retrieved. The
backend never changes a lifecycle for a job: the archive system PATCHes it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .scicat import ScicatClient, ScicatError

log = logging.getLogger(__name__)

IN_PROGRESS = "inProgress"
SUCCEEDED = "finishedSuccessful"
PARTLY_FAILED = "finishedWithDatasetErrors"
FAILED = "finishedUnsuccessful"
HANDLED_TYPES = ("archive", "retrieve")


@dataclass(frozen=True)
class Behaviour:
    """How long the archive takes and how often it fails (per dataset)."""

    archive_delay: float = 2.0
    retrieve_delay: float = 2.0
    failure_rate: float = 0.0
    rng: random.Random = field(default_factory=random.Random)

    def fails(self) -> bool:
        return self.failure_rate > 0 and self.rng.random() < self.failure_rate


@dataclass(frozen=True)
class Outcome:
    job_id: str
    job_type: str
    status: str
    datasets: dict[str, str]  # pid -> what happened to it


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dataset_pids(job: dict[str, Any]) -> list[str]:
    """The pids of `jobParams.datasetList` (v4), or of a v3 top-level `datasetList`."""
    params = job.get("jobParams") or {}
    entries = params.get("datasetList") or job.get("datasetList") or []
    return [str(e["pid"]) for e in entries if isinstance(e, dict) and e.get("pid")]


async def carry_out(client: ScicatClient, job: dict[str, Any], behaviour: Behaviour) -> Outcome:
    """Run one archive or retrieve job to its end; the job's final status says how it went."""
    job_id, job_type = str(job["id"]), str(job["type"])
    pids = dataset_pids(job)
    if not pids:
        await client.update_job(job_id, FAILED, "The job lists no dataset.", {"datasets": []})
        return Outcome(job_id, job_type, FAILED, {})
    archive = job_type == "archive"
    verb = "Archiving" if archive else "Retrieving"
    await client.update_job(job_id, IN_PROGRESS, f"{verb} {len(pids)} dataset(s).")
    results: dict[str, str] = {}
    ready: list[str] = []
    for pid in pids:
        problem = await (_start_archive(client, pid) if archive else _start_retrieve(client, pid))
        if problem:
            results[pid] = problem
        else:
            ready.append(pid)
    await asyncio.sleep(behaviour.archive_delay if archive else behaviour.retrieve_delay)
    for pid in ready:
        finish = _finish_archive if archive else _finish_retrieve
        results[pid] = await finish(client, pid, job_id, failed=behaviour.fails())
    done = "archived" if archive else "retrieved"
    failures = [pid for pid, result in results.items() if result != done]
    status = SUCCEEDED if not failures else FAILED if len(failures) == len(pids) else PARTLY_FAILED
    message = (f"{len(pids) - len(failures)} of {len(pids)} dataset(s) {done}."
               + (f" Failed: {', '.join(failures)}." if failures else ""))
    report = {"datasets": [{"pid": pid, "result": results[pid]} for pid in pids], "finishedAt": _now()}
    await client.update_job(job_id, status, message, report)
    log.info("%s job %s: %s", job_type, job_id, message)
    return Outcome(job_id, job_type, status, results)


async def _start_archive(client: ScicatClient, pid: str) -> str | None:
    try:
        lifecycle = await client.lifecycle(pid)
        if lifecycle.get("archivable") is False and lifecycle.get("archiveStatusMessage") != "started":
            return "not archivable"
        await client.update_lifecycle(pid, {"archivable": False, "archiveStatusMessage": "started"})
    except ScicatError as exc:
        log.warning("dataset %s cannot be archived: %s", pid, exc)
        return f"refused: {exc}"
    return None


async def _finish_archive(client: ScicatClient, pid: str, job_id: str, *, failed: bool) -> str:
    if failed:
        await client.update_lifecycle(pid, {
            "archivable": True, "retrievable": False,
            "archiveStatusMessage": "scheduleArchiveJobFailed",
            "archiveReturnMessage": {"jobId": job_id, "error": "the archive system failed (simulated)",
                                     "at": _now()},
        })
        return "archive failed"
    await client.update_lifecycle(pid, {
        "archivable": False, "retrievable": True, "archiveStatusMessage": "datasetOnArchiveDisk",
        "archiveReturnMessage": {"jobId": job_id, "archivedAt": _now()},
    })
    return "archived"


async def _start_retrieve(client: ScicatClient, pid: str) -> str | None:
    try:
        lifecycle = await client.lifecycle(pid)
        if not lifecycle.get("retrievable"):
            return "not retrievable: the dataset is not on the archive"
        await client.update_lifecycle(pid, {"retrieveStatusMessage": "started"})
    except ScicatError as exc:
        log.warning("dataset %s cannot be retrieved: %s", pid, exc)
        return f"refused: {exc}"
    return None


async def _finish_retrieve(client: ScicatClient, pid: str, job_id: str, *, failed: bool) -> str:
    if failed:
        await client.update_lifecycle(pid, {
            "retrieveStatusMessage": "datasetRetrievalFailed",
            "retrieveReturnMessage": {"jobId": job_id, "error": "the retrieval failed (simulated)",
                                      "at": _now()},
        })
        return "retrieve failed"
    await client.update_lifecycle(pid, {
        "retrieveStatusMessage": "datasetRetrieved",
        "retrieveReturnMessage": {"jobId": job_id, "retrievedAt": _now()},
    })
    return "retrieved"
