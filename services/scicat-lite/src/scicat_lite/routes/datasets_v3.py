"""``/api/v3/datasets``: the legacy dataset API with its origdatablock and attachment sub-routes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from .. import datasets, dto
from ..access import CreateRight
from ..auth import User
from ..deps import (
    AppContext,
    Body,
    Connection,
    Context,
    CurrentUser,
    Router,
    filter_param,
    json_param,
    path_id,
)
from ..errors import bad_request, conflict, forbidden, not_found, precondition_failed
from ..filters import FilterParser, Sql
from ..history import record_delete, record_update
from ..policies import classify_new_dataset
from ..resources import (
    ATTACHMENTS,
    DATASETS,
    ORIGDATABLOCKS,
    attachment_target,
    attachment_v3,
    blocks_of,
    readable_dataset,
    require_user,
    writable_dataset,
)
from ..search import FieldsQuery, fullfacet, metadata_keys, parse_facets
from ..store import DuplicateKey, project
from ..validation import check, partial, validate_v3_dataset

router = Router(prefix="/api/v3/datasets", tags=["datasets v3"])
PARSER = FilterParser(datasets.V3_POLICY)
FIELDS = FieldsQuery(datasets.V3_POLICY, search_column="search")
VERSION = "3"


def _create_model(body: Any) -> type[dto.CreateDatasetV3Base | dto.CreateDatasetV4]:
    kind = body.get("type") if isinstance(body, dict) else None
    if kind == "raw":
        return dto.CreateRawDatasetV3
    if kind == "derived":
        return dto.CreateDerivedDatasetV3
    return dto.CreateDatasetV4


def _check_create(ctx: Context, user: CurrentUser, doc: dict[str, Any]) -> None:
    if not ctx.access.may_create_dataset(user, doc, with_pid=bool(doc.get("pid"))):
        raise forbidden("Unauthorized to create this dataset")


def _require_create_right(ctx: Context, user: CurrentUser) -> None:
    if ctx.access.dataset_create_right(user) is CreateRight.NONE:
        raise forbidden()


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    _require_create_right(ctx, user)
    fields = datasets.v3_to_v4(validate_v3_dataset(_create_model(body), body))
    _check_create(ctx, user, fields)
    doc = datasets.create(
        fields,
        username=require_user(user).username,
        pid_prefix=ctx.settings.pid_prefix,
        version=VERSION,
    )
    try:
        DATASETS.insert(conn, classify_new_dataset(conn, doc))
    except DuplicateKey as error:
        raise conflict(f"A dataset with pid {doc['pid']} already exists!") from error
    return datasets.to_v3(doc)


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, body: Body) -> dict[str, Any]:
    _require_create_right(ctx, user)
    problems = check(_create_model(body), body)
    if problems:
        return {"valid": False, "error": "; ".join(problems)}
    return {"valid": True}


def _visible(ctx: Context, user: CurrentUser) -> Sql:
    return ctx.access.visibility(user, shared=True, read_all=ctx.access.reads_any_dataset(user))


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request), default_limit=100)
    docs = DATASETS.find(
        conn,
        _visible(ctx, user) & query.where,
        order=query.order,
        limit=query.limit,
        skip=query.skip,
    )
    return [project(datasets.to_v3(_included(conn, d, query.include)), query.fields) for d in docs]


def _included(conn: Connection, doc: dict[str, Any], include: list[str]) -> dict[str, Any]:
    for relation in include:
        if relation == "origdatablocks":
            doc["origdatablocks"] = ORIGDATABLOCKS.find(conn, blocks_of(doc["pid"]))
        elif relation == "attachments":
            doc["attachments"] = [
                attachment_v3(a)
                for a in ATTACHMENTS.find(conn, attachment_target("dataset", doc["pid"]))
            ]
    return doc


@router.get("/findOne", response_model=None)
def find_one(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, Any] | Response:
    query = PARSER.query(filter_param(request), default_limit=1)
    docs = DATASETS.find(
        conn, _visible(ctx, user) & query.where, order=query.order, limit=1, skip=query.skip
    )
    if not docs:
        return Response(status_code=200)
    return project(datasets.to_v3(_included(conn, docs[0], query.include)), query.fields)


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    raw = filter_param(request) or {}
    where = PARSER.where(raw.get("where") if isinstance(raw, dict) else None)
    return {"count": DATASETS.count(conn, _visible(ctx, user) & where)}


def search_scope(ctx: AppContext, user: User | None, fields: Any, *, facets: bool = False) -> Sql:
    """fullquery/fullfacet: own groups only, or only published ones when asked for."""
    if isinstance(fields, dict) and fields.get("isPublished") is True:
        return Sql("is_published")
    if ctx.access.reads_any_dataset(user):
        return Sql("TRUE")
    return ctx.access.own_groups_only(user, facets=facets)


@router.get("/fullquery")
def fullquery(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    fields = json_param(request, "fields")
    limits = json_param(request, "limits") or {}
    query = PARSER.query({"limits": limits}, default_limit=100)
    where = Sql.join(list(FIELDS.conditions(fields).values()), "AND", "TRUE")
    docs = DATASETS.find(
        conn,
        search_scope(ctx, user, fields) & where,
        order=query.order,
        limit=query.limit,
        skip=query.skip,
    )
    return [datasets.to_v3(d) for d in docs]


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    fields = json_param(request, "fields")
    facets = parse_facets(json_param(request, "facets"))
    conditions = FIELDS.conditions(fields)
    return fullfacet(
        conn,
        "datasets",
        datasets.V3_POLICY,
        conditions,
        facets,
        search_scope(ctx, user, fields, facets=True),
    )


@router.get("/metadataKeys")
def metadata_keys_route(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[str]:
    fields = json_param(request, "fields")
    where = Sql.join(list(FIELDS.conditions(fields).values()), "AND", "TRUE")
    key_filter = fields.get("metadataKey") if isinstance(fields, dict) else None
    return metadata_keys(
        conn, "datasets", "scientificMetadata", search_scope(ctx, user, fields) & where, key_filter
    )


@router.get("/{pid}")
def find_by_id(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, request: Request
) -> dict[str, Any]:
    dataset = readable_dataset(ctx, conn, user, path_id(pid), as_dataset=True)
    raw = filter_param(request)
    query = PARSER.query(raw if isinstance(raw, dict) else None, default_limit=None)
    return project(datasets.to_v3(_included(conn, dataset, query.include)), query.fields)


def _update_model(dataset: dict[str, Any]) -> type[Any]:
    model = (
        dto.CreateDerivedDatasetV3 if dataset.get("type") == "derived" else dto.CreateRawDatasetV3
    )
    if dataset.get("type") not in ("raw", "derived"):
        model = dto.CreateDatasetV4
    return model


@router.patch("/{pid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body, request: Request
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, user, path_id(pid), lock=True)
    if datasets.modified_since(dataset, request.headers.get("if-unmodified-since")):
        raise precondition_failed()
    changes = datasets.v3_to_v4_changes(
        validate_v3_dataset(partial(_update_model(dataset), frozenset({"pid"})), body)
    )
    updated = datasets.patch(dataset, changes, username=require_user(user).username)
    record_update(ctx, conn, "Dataset", dataset, updated, require_user(user).username)
    return datasets.to_v3(DATASETS.replace(conn, updated))


@router.put("/{pid}")
def replace(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, user, path_id(pid), lock=True)
    fields = datasets.v3_to_v4(validate_v3_dataset(_update_model(dataset), body))
    updated = datasets.replace(
        dataset, fields, username=require_user(user).username, version=VERSION
    )
    return datasets.to_v3(DATASETS.replace(conn, updated))


@router.delete("/{pid}")
def delete(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    deleted = DATASETS.delete(conn, path_id(pid))
    if deleted is None:
        raise not_found(f"dataset: {path_id(pid)} not found")
    record_delete(ctx, conn, "Dataset", deleted, require_user(user).username)
    return deleted


@router.get("/{pid}/datasetlifecycle")
def lifecycle(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    lifecycle_doc: dict[str, Any] = readable_dataset(ctx, conn, user, path_id(pid), as_dataset=True).get(
        "datasetlifecycle", {}
    )
    return lifecycle_doc


@router.post("/{pid}/appendToArrayField", status_code=201)
def append_to_array_field(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, request: Request
) -> dict[str, Any]:
    """``$addToSet`` the ``data`` items to ``fieldName``; upstream allows DELETE_GROUPS only."""
    if ctx.access.dataset_create_right(user) is CreateRight.NONE:
        raise forbidden()
    dataset = DATASETS.get(conn, path_id(pid), lock=True)
    if dataset is None:
        raise not_found()
    if not ctx.access.can_delete(user):
        raise forbidden("Unauthorized to update this dataset")
    field = request.query_params.get("fieldName") or ""
    items = json_param(request, "data")
    if not isinstance(items, list):
        raise bad_request("data must be a JSON array of the values to add")
    if field not in datasets.DATASET_FIELDS:
        raise bad_request(f"fieldName must name a dataset field, got {field!r}")
    current = dataset.get(field)
    if current is not None and not isinstance(current, list):
        raise bad_request(f"{field} is not an array field")
    merged = list(current or [])
    merged += [item for item in items if item not in merged]
    updated = datasets.patch(dataset, {field: merged}, username=require_user(user).username)
    return datasets.to_v3(DATASETS.replace(conn, updated))


@router.get("/{pid}/thumbnail", response_model=None)
def thumbnail(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> dict[str, Any] | JSONResponse:
    dataset = readable_dataset(ctx, conn, user, path_id(pid))
    found = ATTACHMENTS.find(conn, attachment_target("dataset", dataset["pid"]), limit=1)
    if not found or not found[0].get("thumbnail"):
        return JSONResponse({})
    return attachment_v3(found[0])
