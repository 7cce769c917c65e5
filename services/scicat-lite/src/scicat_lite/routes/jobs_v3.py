"""``/api/v3/jobs``: the v3 job API mapped onto v4 jobs the way the backend's
interceptors do (``src/jobs/interceptors/*.ts``, ``dto/output-job-v3.dto.ts``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..auth import User
from ..checks import check_body
from ..deps import AppContext, Body, Connection, Context, CurrentUser, path_id
from ..errors import bad_request
from ..filters import FilterError, Sql, parse_json
from ..jobs.actions import action_error
from ..jobs.config import JobType
from ..jobs.service import DATASETS, create_job, find_job, job_type_of, update_job
from ..jobs.views import V3_FIELDS, check_filter_keys, check_include, to_v3, v3_to_v4_filter
from .jobs_v4 import (
    CREATE_DTO,
    UPDATE_DTO,
    gate,
    job_conditions,
    job_facets,
    list_jobs,
    one_job,
    remove_job,
    system,
)

router = APIRouter(prefix="/api/v3/jobs", tags=["jobs"])


def _owner_group(
    ctx: AppContext,
    conn: Connection,
    params: dict[str, Any],
    job_type: JobType,
    groups: list[str] | None,
) -> str | None:
    """``buildOwnerGroup``: from jobParams, else from the (first unpublished) dataset."""
    if "ownerGroup" in params:
        value = params["ownerGroup"]
        return value if isinstance(value, str) else None
    entries = params.get("datasetList")
    if not isinstance(entries, list) or not entries or job_type.create.auth == "#datasetPublic":
        return None
    pids = [e.get("pid") for e in entries if isinstance(e, dict) and isinstance(e.get("pid"), str)]
    where = Sql("id = ANY(%s::text[])", (pids,))
    mine = groups or []
    is_admin = bool(set(mine) & set(ctx.settings.groups.admin))
    if job_type.create.auth == "#datasetOwner" and not is_admin:
        where = where & Sql("owner_group = ANY(%s::text[])", (mine,))
    if job_type.create.auth == "#datasetAccess":
        where = where & Sql(
            "(is_published OR owner_group = ANY(%s::text[]) OR access_groups && %s::text[])", (mine, mine)
        )
    datasets = DATASETS.find(conn, where)
    if not datasets or len(datasets) != len(entries):
        return None
    if job_type.create.auth == "#datasetAccess" and all(d.get("isPublished") for d in datasets):
        return mine[0] if mine else None
    unpublished = [d for d in datasets if not d.get("isPublished")]
    return unpublished[0]["ownerGroup"] if unpublished else None


def v3_create_body(
    ctx: AppContext, conn: Connection, user: User | None, body: Any
) -> dict[str, Any]:
    """``CreateJobV3MappingInterceptor``: the v3 body becomes a v4 ``CreateJobDto``."""
    v3 = body if isinstance(body, dict) else {}
    job_type = job_type_of(system(ctx), v3.get("type"))
    raw_params = v3.get("jobParams")
    params = {
        k: v
        for k, v in (raw_params if isinstance(raw_params, dict) else {}).items()
        if k != "datasetList"
    }
    params["datasetList"] = v3.get("datasetList") if v3.get("datasetList") is not None else []
    if v3.get("executionTime"):
        params["executionTime"] = v3["executionTime"]
    if v3.get("jobStatusMessage"):
        params["jobStatusMessage"] = v3["jobStatusMessage"]
    dto: dict[str, Any] = {"type": v3.get("type"), "jobParams": params}
    if v3.get("emailJobInitiator") is not None or user is not None:
        dto["contactEmail"] = (
            v3.get("emailJobInitiator") if v3.get("emailJobInitiator") is not None else user.email
        )  # type: ignore[union-attr]
    job_user = user
    if "username" in params:
        job_user = (
            system(ctx).find_user(conn, params["username"])
            if isinstance(params["username"], str)
            else None
        )
    if job_user is not None:
        dto["ownerUser"] = job_user.username
    owner_group = _owner_group(
        ctx, conn, params, job_type, list(job_user.groups) if job_user else None
    )
    if owner_group:
        dto["ownerGroup"] = owner_group
    return dto


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    gate(system(ctx).access.endpoint_create(user))
    dto = check_body(CREATE_DTO, v3_create_body(ctx, conn, user, body))
    return to_v3(create_job(system(ctx), conn, user, dto))


@router.patch("/{job_id}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, job_id: str, body: Body
) -> dict[str, Any]:
    """``UpdateJobV3MappingInterceptor``: jobStatusMessage sets statusCode and statusMessage."""
    gate(system(ctx).access.endpoint_update(user))
    current = find_job(conn, path_id(job_id))
    if current is None:
        raise action_error("Invalid job id.")
    v3 = body if isinstance(body, dict) else {}
    status = v3.get("jobStatusMessage")
    dto: dict[str, Any] = {
        "statusCode": status or current.get("statusCode"),
        "statusMessage": status or current.get("statusMessage"),
    }
    result = v3.get("jobResultObject")
    if v3.get("executionTime"):
        result = {
            **(result if isinstance(result, dict) else {}),
            "executionTime": v3["executionTime"],
        }
    if result is not None:
        dto["jobResultObject"] = result
    dto = check_body(UPDATE_DTO, dto)
    return to_v3(update_job(system(ctx), conn, user, path_id(job_id), dto, merge_patch=False))


def _json(request: Request, name: str) -> Any:
    try:
        return parse_json(request.query_params.get(name), name)
    except FilterError as error:
        raise bad_request(str(error)) from error


@router.get("/fullquery")
def full_query(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    """v3 ``fields`` (conditions) and ``limits`` (``order`` as "field:direction")."""
    gate(system(ctx).access.endpoint_read(user))
    fields = v3_to_v4_filter({"where": _json(request, "fields") or {}})["where"]
    limits = _json(request, "limits") or {}
    if not isinstance(limits, dict):
        raise bad_request("limits must be a JSON object")
    query: dict[str, Any] = {"limits": {k: v for k, v in limits.items() if k in ("limit", "skip")}}
    order = limits.get("order")
    if isinstance(order, str) and order:
        name, _, direction = order.partition(":")
        query["limits"]["sort"] = {V3_FIELDS.get(name, name): direction or "asc"}
    jobs = list_jobs(ctx, conn, user, query, extra=job_conditions(fields))
    return [to_v3(job) for job in jobs]


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    gate(system(ctx).access.endpoint_read(user))
    return job_facets(ctx, conn, user, request)


@router.get("/datasetDetails")
def dataset_details(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> Any:
    """The legacy details of one job: its datasets (with one relation when ``include`` names it)."""
    gate(system(ctx).access.endpoint_read(user))
    dataset_fields = _json(request, "datasetFields")
    include = _json(request, "include")
    include_fields = _json(request, "includeFields")
    relation = include.get("relation") if isinstance(include, dict) else None
    key = "datasetDetails" if isinstance(include, dict) and include else "datasets"
    fields = (
        [f"{key}.{k}" for k, v in (dataset_fields or {}).items() if v]
        if isinstance(dataset_fields, dict)
        else []
    )
    if isinstance(relation, str):
        fields += (
            [f"datasetDetails.{relation}.{k}" for k, v in (include_fields or {}).items() if v]
            if isinstance(include_fields, dict)
            else []
        )
    job_id = request.query_params.get("jobId") or ""
    job = one_job(
        ctx,
        conn,
        user,
        job_id,
        {
            "include": ["datasetDetails" if isinstance(relation, str) else "datasets"],
            "fields": fields or None,
        },
    )
    return job.get("datasetDetails") if isinstance(relation, str) else job.get("datasets")


@router.get("/{job_id}")
def find_one(ctx: Context, user: CurrentUser, conn: Connection, job_id: str) -> dict[str, Any]:
    gate(system(ctx).access.endpoint_read(user))
    return to_v3(one_job(ctx, conn, user, path_id(job_id), {}))


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    gate(system(ctx).access.endpoint_read(user))
    raw = v3_to_v4_filter(_json(request, "filter") or {})
    check_filter_keys(raw, {"where": False, "include": True, "fields": True, "limits": False})
    check_include(raw)
    return [to_v3(job) for job in list_jobs(ctx, conn, user, raw)]


@router.delete("/{job_id}", response_model=None)
def remove(ctx: Context, user: CurrentUser, conn: Connection, job_id: str) -> Any:
    return remove_job(ctx, conn, user, path_id(job_id))
