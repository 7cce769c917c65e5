"""``/api/v4/jobs`` (``src/jobs/jobs.v4.controller.ts`` at v5.2.1)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..auth import User
from ..checks import check_body, field
from ..deps import AppContext, Body, Connection, Context, CurrentUser, json_param, path_id
from ..errors import bad_request, forbidden
from ..filters import FieldPolicy, FilterError, Sql, parse_json
from ..jobs.actions import action_error
from ..jobs.service import JOBS, JobSystem, create_job, update_job
from ..jobs.views import add_includes, check_filter_keys, check_include, finish, parse_job_filter
from ..search import FieldsQuery, fullfacet, parse_facets

router = APIRouter(prefix="/api/v4/jobs", tags=["jobs v4"])

CREATE_DTO = (
    field("type", "string"),
    field("jobParams", "object"),
    field("ownerUser", "string", required=False),
    field("ownerGroup", "string", required=False),
    field("contactEmail", "email", required=False),
)
UPDATE_DTO = (
    field("statusCode", "string"),
    field("statusMessage", "string"),
    field("jobResultObject", "object", required=False),
)
ALL_PARTS = {"where": True, "include": True, "fields": True, "limits": True}
FACET_POLICY = FieldPolicy()
FIELDS = FieldsQuery(FACET_POLICY, metadata_field="jobParams")


def system(ctx: AppContext) -> JobSystem:
    jobs: JobSystem = ctx.features.jobs
    return jobs


def gate(allowed: bool) -> None:
    """The PoliciesGuard of every job route."""
    if not allowed:
        raise forbidden()


def raw_filter(request: Request, parts: dict[str, bool], *, include_check: bool) -> Any:
    try:
        raw = parse_json(request.query_params.get("filter"), "filter")
    except FilterError as error:
        raise bad_request(f"Invalid JSON in filter: {error}") from error
    check_filter_keys(raw or {}, parts)
    if include_check:
        check_include(raw or {})
    return raw


def list_jobs(
    ctx: AppContext, conn: Connection, user: User | None, raw: Any, *, extra: Sql | None = None
) -> list[dict[str, Any]]:
    query = parse_job_filter(raw)
    scope = system(ctx).access.read_scope(user) & query.where & (extra or Sql("TRUE"))
    # upstream's pipeline applies $limit before $skip
    docs = JOBS.find(conn, scope, order=query.order, limit=query.limit)[query.skip :]
    visible = ctx.access.visibility(user, shared=True)
    return [finish(add_includes(conn, d, query.include, visible), query.fields) for d in docs]


def one_job(
    ctx: AppContext, conn: Connection, user: User | None, job_id: str, raw: Any
) -> dict[str, Any]:
    query = parse_job_filter({k: v for k, v in (raw or {}).items() if k != "where"})
    job = JOBS.get(conn, job_id)
    if job is None:
        raise action_error("Invalid job id.")
    jobs = system(ctx)
    if jobs.config.get(job.get("type")) is None:
        raise action_error(f"Invalid job type: {job.get('type')}")
    if not jobs.access.may_read(user, job):
        raise forbidden("Unauthorized to get this job.")
    visible = ctx.access.visibility(user, shared=True)
    return finish(add_includes(conn, job, query.include, visible), query.fields)


def job_conditions(fields: Any) -> Sql:
    """``createFullqueryFilter`` for jobs: text search, createdAt range, mode, field values."""
    if fields is None:
        return Sql("TRUE")
    if not isinstance(fields, dict):
        raise bad_request("fields must be a JSON object")
    parts: list[Sql] = []
    rest = dict(fields)
    text = rest.pop("text", None)
    if isinstance(text, str) and text.strip():
        parts.append(Sql("doc::text ILIKE %s", (f"%{text.strip()}%",)))
    created = rest.pop("createdAt", None)
    if isinstance(created, dict):
        if created.get("begin"):
            parts.append(Sql("doc->>'createdAt' >= %s", (str(created["begin"]),)))
        if created.get("end"):
            parts.append(Sql("doc->>'createdAt' <= %s", (str(created["end"]),)))
    try:
        parts.extend(FIELDS.conditions(rest).values())
    except FilterError as error:
        raise bad_request(str(error)) from error
    return Sql.join(parts, "AND", "TRUE")


def job_facets(
    ctx: AppContext, conn: Connection, user: User | None, request: Request
) -> list[dict[str, Any]]:
    try:
        fields = parse_json(request.query_params.get("fields"), "fields")
        facets = parse_facets(json_param(request, "facets"))
    except FilterError as error:
        raise bad_request(str(error)) from error
    conditions = {"fields": job_conditions(fields)}
    return fullfacet(
        conn, "jobs", FACET_POLICY, conditions, facets, system(ctx).access.read_scope(user)
    )


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    gate(system(ctx).access.endpoint_create(user))
    return create_job(system(ctx), conn, user, check_body(CREATE_DTO, body))


@router.patch("/{job_id}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, job_id: str, body: Body, request: Request
) -> dict[str, Any]:
    gate(system(ctx).access.endpoint_update(user))
    dto = check_body(UPDATE_DTO, body)
    merge = request.headers.get("content-type", "").startswith("application/merge-patch+json")
    return update_job(system(ctx), conn, user, path_id(job_id), dto, merge_patch=merge)


@router.get("/fullquery")
def full_query(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    gate(system(ctx).access.endpoint_read(user))
    raw = raw_filter(
        request,
        {"where": True, "include": False, "fields": True, "limits": True},
        include_check=True,
    )
    return list_jobs(ctx, conn, user, raw)


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    gate(system(ctx).access.endpoint_read(user))
    return job_facets(ctx, conn, user, request)


@router.get("/datasetDetails")
def dataset_details(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    gate(system(ctx).access.endpoint_read(user))
    raw = (
        raw_filter(
            request,
            {"where": True, "include": False, "fields": True, "limits": True},
            include_check=False,
        )
        or {}
    )
    return list_jobs(ctx, conn, user, {**raw, "include": ["datasetDetails"]})


@router.get("/{job_id}")
def find_one(
    ctx: Context, user: CurrentUser, conn: Connection, job_id: str, request: Request
) -> dict[str, Any]:
    gate(system(ctx).access.endpoint_read(user))
    raw = raw_filter(
        request,
        {"where": False, "include": True, "fields": True, "limits": False},
        include_check=True,
    )
    return one_job(ctx, conn, user, path_id(job_id), raw)


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    gate(system(ctx).access.endpoint_read(user))
    return list_jobs(ctx, conn, user, raw_filter(request, ALL_PARTS, include_check=True))


def remove_job(
    ctx: AppContext, conn: Connection, user: User | None, job_id: str
) -> Response | dict[str, Any]:
    gate(system(ctx).access.endpoint_delete(user))
    deleted = JOBS.delete(conn, job_id)
    if deleted is None:
        raise action_error(f"Job id {job_id} doesn't exist.")
    return deleted


@router.delete("/{job_id}", response_model=None)
def remove(ctx: Context, user: CurrentUser, conn: Connection, job_id: str) -> Any:
    return remove_job(ctx, conn, user, path_id(job_id))
