"""Creating and updating jobs (``src/jobs/jobs.controller.utils.ts`` and
``jobs.service.ts`` at v5.2.1).

Create: the job type must be configured (400); ``jobParams.datasetList`` is checked
(422); the owner is settled (privileged users choose it, others own it); the dataset
rules of the type's auth apply (403); the type's auth itself (403); then the create
actions validate, the job is written and committed, and the actions perform.
Update: unknown id or type 400, auth 403, validate, write, perform. No status history
is kept and jobs never touch datasets: the archive system PATCHes ``datasetlifecycle``.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from ..auth import User
from ..errors import ApiError, forbidden, http_error
from ..filters import Sql
from ..store import Collection, Doc
from ..timeutil import now_iso
from .access import DATASET_AUTH, JobAccess
from .actions import Context, action_error, perform_actions, validate_actions
from .config import JobConfiguration, JobServices, JobType

JOBS = Collection("jobs")
DATASETS = Collection("datasets")
ORIGDATABLOCKS = Collection("origdatablocks")


@dataclass
class JobSystem:
    """Everything the job routes share: configuration, access rules, defaults."""

    config: JobConfiguration
    access: JobAccess
    services: JobServices
    default_status_code: str
    default_status_message: str
    find_user: Callable[[psycopg.Connection, str], User | None]


def unprocessable(message: str, error: str | None = None) -> ApiError:
    """``UnprocessableEntityException``: a string gives the NestJS body, an object itself."""
    if error is None:
        return http_error(422, message)
    return ApiError(422, {"message": message, "error": error})


def job_type_of(system: JobSystem, name: Any) -> JobType:
    job_type = system.config.get(name)
    if job_type is None:
        raise action_error(f"Invalid job type: {js_name(name)}")
    return job_type


def js_name(value: Any) -> str:
    return "undefined" if value is None else str(value)


def invalid_job_id() -> ApiError:
    return action_error("Invalid job id.")


# -- datasetList ----------------------------------------------------------------------


def validate_dataset_list(conn: psycopg.Connection, job_params: dict[str, Any]) -> list[Doc]:
    entries = job_params.get("datasetList")
    if not isinstance(entries, list):
        raise unprocessable("Invalid dataset list.")
    if not entries:
        raise unprocessable("List of passed datasets is empty.")
    problems: list[dict[str, Any]] = []
    for entry in entries:
        problems.extend(_entry_problems(entry))
    if problems:
        raise unprocessable("Invalid dataset list.", json.dumps(problems))
    pids = [entry["pid"] for entry in entries]
    found = {d["pid"] for d in DATASETS.find(conn, Sql("id = ANY(%s::text[])", (pids,)))}
    missing = [pid for pid in pids if pid not in found]
    if missing:
        raise unprocessable(f"Datasets with pid {','.join(missing)} do not exist.")
    _check_files(conn, entries)
    return [{"pid": e["pid"], "files": list(e["files"])} for e in entries]


def _entry_problems(entry: Any) -> list[dict[str, Any]]:
    if not isinstance(entry, dict):
        return [{"property": "", "constraints": {"isObject": "each entry must be an object"}}]
    problems = [
        {
            "property": key,
            "constraints": {"whitelistValidation": f"property {key} should not exist"},
        }
        for key in entry
        if key not in ("pid", "files")
    ]
    pid = entry.get("pid")
    if not isinstance(pid, str) or not pid:
        constraints = {"isNotEmpty": "pid should not be empty"}
        if not isinstance(pid, str):
            constraints["isString"] = "pid must be a string"
        problems.append({"property": "pid", "constraints": constraints})
    files = entry.get("files")
    if not isinstance(files, list):
        problems.append(
            {
                "property": "files",
                "constraints": {
                    "isString": "each value in files must be a string",
                    "isArray": "files must be an array",
                },
            }
        )
    elif not all(isinstance(f, str) for f in files):
        problems.append(
            {
                "property": "files",
                "constraints": {"isString": "each value in files must be a string"},
            }
        )
    return problems


def _check_files(conn: psycopg.Connection, entries: list[dict[str, Any]]) -> None:
    wanted = [e for e in entries if e["files"]]
    if not wanted:
        return
    known: dict[str, set[str]] = {}
    blocks = ORIGDATABLOCKS.find(conn, Sql("dataset_id = ANY(%s::text[])", ([e["pid"] for e in wanted],)))
    for block in blocks:
        paths = known.setdefault(block["datasetId"], set())
        paths.update(f.get("path") for f in block.get("dataFileList") or [])
    missing = [
        {
            "pid": e["pid"],
            "nonExistFiles": [f for f in e["files"] if f not in known.get(e["pid"], set())],
        }
        for e in wanted
    ]
    missing = [m for m in missing if m["nonExistFiles"]]
    if missing:
        raise unprocessable("At least one requested file could not be found.", json.dumps(missing))


# -- create ---------------------------------------------------------------------------


def _settle_owner(
    system: JobSystem, conn: psycopg.Connection, user: User | None, dto: dict[str, Any], job: Doc
) -> User | None:
    """``processJobUser``: the job's owner user and contact e-mail; returns the job user."""
    if user is None:
        return None
    job_user: User | None = user
    if system.access.is_privileged_creator(user):
        if not (dto.get("ownerGroup") or dto.get("ownerUser") or dto.get("contactEmail")):
            raise unprocessable("Contact email should be specified for an anonymous job.")
        wanted = dto.get("ownerUser")
        if wanted and wanted != user.username:
            job_user = system.find_user(conn, wanted)
            job["ownerUser"] = job_user.username if job_user else user.username
        elif wanted:
            job["ownerUser"] = user.username
        else:
            job_user = None
    else:
        if not dto.get("ownerGroup"):
            raise forbidden("Invalid new job. Owner group should be specified.")
        if dto.get("ownerUser") and dto["ownerUser"] != user.username:
            raise forbidden("Invalid new job. User owning the job should match user logged in.")
        if dto["ownerGroup"] not in user.groups:
            raise forbidden("Invalid new job. User needs to belong to job owner group.")
        job["ownerUser"] = user.username
    if not dto.get("contactEmail"):
        job["contactEmail"] = job_user.email if job_user is not None else user.email
    return job_user


def _check_dataset_access(
    system: JobSystem,
    conn: psycopg.Connection,
    job_type: JobType,
    dto: dict[str, Any],
    datasets: list[Doc],
    user: User | None,
    job_user: User | None,
) -> None:
    """``checkDatasetsAccess``: the #dataset* auth values ask for rights on every dataset."""
    auth = job_type.create.auth
    if system.access.is_admin(user) or auth not in DATASET_AUTH:
        return
    if not dto["jobParams"].get("datasetList"):
        raise unprocessable("Dataset ids list was not provided in jobParams")
    groups = list(
        (job_user.groups if job_user else ())
        if system.access.is_create_privileged(user)
        else (user.groups if user else ())
    )
    pids = [d["pid"] for d in datasets]
    where = Sql("id = ANY(%s::text[])", (pids,))
    if auth == "#datasetPublic" or (auth == "#datasetAccess" and not groups):
        where = where & Sql("is_published")
    elif auth == "#datasetAccess":
        where = where & Sql(
            "(owner_group = ANY(%s::text[]) OR access_groups && %s::text[] OR is_published)",
            (groups, groups),
        )
    else:
        if user is None:
            raise http_error(401, "User not authenticated")
        if not groups:
            raise forbidden(
                "User does not belong to any group, cannot create job with #datasetOwner "
                "authorization."
            )
        where = where & Sql("owner_group = ANY(%s::text[])", (groups,))
    if DATASETS.count(conn, where) < len(datasets):
        raise forbidden("User does not have access to all datasets, cannot create job.")


def load_datasets(conn: psycopg.Connection, dataset_list: Any) -> list[Doc]:
    """The datasets of a job's ``datasetList``, for action templates and validations."""
    if not isinstance(dataset_list, list) or not dataset_list:
        return []
    pids = [entry.get("pid") for entry in dataset_list if isinstance(entry, dict)]
    found = DATASETS.find(conn, Sql("id = ANY(%s::text[])", ([p for p in pids if isinstance(p, str)],)))
    if len(found) != len(pids):
        raise http_error(404, f"Unable to get a dataset. ({json.dumps(pids)})")
    return found


def create_job(
    system: JobSystem, conn: psycopg.Connection, user: User | None, dto: dict[str, Any]
) -> Doc:
    job_type = job_type_of(system, dto.get("type"))
    params: dict[str, Any] = copy.deepcopy(dto["jobParams"])
    dataset_list = validate_dataset_list(conn, params) if "datasetList" in params else []
    status = params.pop("jobStatusMessage", None)
    if not status and "jobStatusMessage" in dto["jobParams"]:
        params["jobStatusMessage"] = dto["jobParams"]["jobStatusMessage"]
    if "datasetList" in params:
        params["datasetList"] = dataset_list
    job_id = str(uuid.uuid4())
    job: Doc = {
        "_id": job_id,
        "id": job_id,
        "type": dto["type"],
        "accessGroups": [],
        "isPublished": False,
    }
    if dto.get("ownerGroup"):
        job["ownerGroup"] = dto["ownerGroup"]
    if dto.get("contactEmail"):
        job["contactEmail"] = dto["contactEmail"]
    job_user = _settle_owner(system, conn, user, dto, job)
    _check_dataset_access(system, conn, job_type, dto, dataset_list, user, job_user)
    if user is None and dto.get("ownerGroup"):
        raise forbidden(
            "Invalid new job. Unauthenticated user cannot initiate a job owned by another user."
        )
    if not system.access.may_create(user, job_type):
        raise forbidden("Unauthorized to create this job.")
    context: Context = {
        "request": dto,
        "env": dict(os.environ),
        "datasets": load_datasets(conn, dto["jobParams"].get("datasetList")),
    }
    validate_actions(job_type.create.actions, context)
    username = user.username if user else "anonymous"
    now = now_iso()
    job.update(
        {
            "statusCode": status or system.default_status_code,
            "statusMessage": status or system.default_status_message,
            "jobParams": params,
            "contactEmail": job.get("contactEmail", ""),
            "configVersion": job_type.config_version,
            "jobResultObject": {},
            "createdBy": username,
            "updatedBy": username,
            "createdAt": now,
            "updatedAt": now,
            "__v": 0,
        }
    )
    JOBS.insert(conn, job)
    conn.commit()  # the job exists before its actions run, as upstream
    perform_actions(job_type.create.actions, {**context, "job": job})
    return job


# -- update ---------------------------------------------------------------------------


def find_job(conn: psycopg.Connection, job_id: str, *, lock: bool = False) -> Doc | None:
    return JOBS.get(conn, job_id, lock=lock)


def update_job(
    system: JobSystem,
    conn: psycopg.Connection,
    user: User | None,
    job_id: str,
    dto: dict[str, Any],
    *,
    merge_patch: bool,
) -> Doc:
    current = find_job(conn, job_id, lock=True)
    if current is None:
        raise invalid_job_id()
    job_type = job_type_of(system, current.get("type"))
    if not system.access.may_update(user, job_type, current):
        raise forbidden("Unauthorized to update this job.")
    context: Context = {
        "request": dto,
        "job": current,
        "env": dict(os.environ),
        "datasets": load_datasets(conn, (current.get("jobParams") or {}).get("datasetList")),
    }
    validate_actions(job_type.update.actions, context)
    changes = merge(current, dto) if merge_patch else dto
    updated = copy.deepcopy(current)
    if merge_patch:
        updated.update({k: v for k, v in changes.items() if k not in ("_id", "id")})
    params = dict(updated.get("jobParams") or {})
    result = changes.get("jobResultObject")
    if isinstance(result, dict) and result.get("executionTime"):
        result = dict(result)
        params["executionTime"] = result.pop("executionTime")
    updated["statusCode"] = changes.get("statusCode")
    updated["statusMessage"] = changes.get("statusMessage")
    if result is not None:
        updated["jobResultObject"] = result
    updated["jobParams"] = params
    updated["updatedBy"] = user.username if user else "anonymous"
    updated["updatedAt"] = now_iso()
    JOBS.replace(conn, updated)
    conn.commit()
    perform_actions(job_type.update.actions, {**context, "job": updated})
    return updated


def merge(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (json-merge-patch's ``apply``)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result
