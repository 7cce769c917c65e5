"""``/api/v4/datasets`` and ``/api/v4/datasets/public``."""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from .. import datasets, dto
from ..access import CreateRight
from ..auth import User
from ..datablocks import DATABLOCKS
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
    INSTRUMENTS,
    ORIGDATABLOCKS,
    PROPOSALS,
    SAMPLES,
    attachment_target,
    blocks_of,
    readable_dataset,
    require_user,
    writable_dataset,
)
from ..search import FieldsQuery, fullfacet, metadata_keys, parse_facets
from ..store import DuplicateKey, project
from ..validation import check, partial, validate
from .datasets_v3 import search_scope

router = Router(prefix="/api/v4/datasets", tags=["datasets v4"])
PARSER = FilterParser(datasets.V4_POLICY, loopback=False)
FIELDS = FieldsQuery(datasets.V3_POLICY, search_column="search")
VERSION = "4"
RELATIONS = ("instruments", "proposals", "origdatablocks", "datablocks", "attachments", "samples")
_V4_SORT = {"createdAt": "desc"}
Include = Annotated[list[str] | None, Query()]


def _signed_in(user: User | None) -> User:
    """v4 dataset routes are closed to anonymous callers (they use the public routes)."""
    if user is None:
        raise forbidden("Unauthorized access")
    return user


ANONYMOUS_SCOPES = {name: Sql("is_published") for name in RELATIONS if name != "instruments"}


def relation_scopes(ctx: AppContext, user: User | None) -> dict[str, Sql]:
    """What of each related collection an include may show (upstream's relation access).

    Admins (and, per collection, its privileged groups) see everything; signed-in users
    what their groups own or were given, what is shared with them or published;
    anonymous callers of the public routes only published documents.
    """
    access = ctx.access
    if user is None:
        return ANONYMOUS_SCOPES
    seen = access.visibility(user, shared=True)
    return {
        "origdatablocks": Sql("TRUE") if access.is_admin(user) else seen,
        "proposals": Sql("TRUE") if access.proposal_manager(user) else seen,
        "samples": Sql("TRUE") if access.sample_privileged(user) else seen,
        "datablocks": Sql("TRUE") if access.is_admin(user) else seen,
    }


def _with_relations(
    conn: Connection, doc: dict[str, Any], include: list[str], scopes: dict[str, Sql]
) -> dict[str, Any]:
    wanted = RELATIONS if "all" in include else include
    unknown = [name for name in wanted if name not in RELATIONS]
    if unknown:
        raise bad_request(f"Invalid include: {unknown[0]}")

    def scoped(name: str, condition: Sql) -> Sql:
        return scopes.get(name, Sql("TRUE")) & condition

    lookups = {
        "origdatablocks": lambda: ORIGDATABLOCKS.find(
            conn, scoped("origdatablocks", blocks_of(doc["pid"]))
        ),
        "attachments": lambda: ATTACHMENTS.find(
            conn, scoped("attachments", attachment_target("dataset", doc["pid"]))
        ),
        "proposals": lambda: PROPOSALS.find(
            conn, scoped("proposals", Sql("id = ANY(%s)", (doc.get("proposalIds") or [],)))
        ),
        "samples": lambda: SAMPLES.find(
            conn, scoped("samples", Sql("id = ANY(%s)", (doc.get("sampleIds") or [],)))
        ),
        "instruments": lambda: INSTRUMENTS.find(
            conn, Sql("id = ANY(%s)", (doc.get("instrumentIds") or [],))
        ),
        "datablocks": lambda: DATABLOCKS.find(conn, Sql("doc->>'datasetId' = %s", (doc["pid"],))),
    }
    for name in wanted:
        doc[name] = lookups[name]()
    return doc


def _list_query(request: Request) -> Any:
    raw = filter_param(request) or {}
    if isinstance(raw, dict):
        raw.setdefault("limits", {})
        if isinstance(raw["limits"], dict):
            raw["limits"].setdefault("sort", _V4_SORT)
            raw["limits"].setdefault("limit", 10)
    return PARSER.query(raw, default_limit=10)


def _find(
    conn: Connection, request: Request, scope: Sql, scopes: dict[str, Sql]
) -> list[dict[str, Any]]:
    query = _list_query(request)
    docs = DATASETS.find(
        conn, scope & query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(_with_relations(conn, d, query.include, scopes), query.fields) for d in docs]


def _find_one(
    conn: Connection, request: Request, scope: Sql, scopes: dict[str, Sql]
) -> dict[str, Any] | Response:
    query = _list_query(request)
    docs = DATASETS.find(conn, scope & query.where, order=query.order, limit=1, skip=query.skip)
    if not docs:
        return Response(status_code=200)
    return project(_with_relations(conn, docs[0], query.include, scopes), query.fields)


def _count(conn: Connection, request: Request, scope: Sql) -> dict[str, int]:
    raw = filter_param(request) or {}
    if not isinstance(raw, dict) or set(raw) - {"where"}:
        raise bad_request("Only where is allowed in a count filter")
    return {"count": DATASETS.count(conn, scope & PARSER.where(raw.get("where")))}


def _facets(conn: Connection, request: Request, scope: Sql) -> list[dict[str, Any]]:
    fields = json_param(request, "fields")
    facets = parse_facets(json_param(request, "facets"))
    return fullfacet(conn, "datasets", datasets.V3_POLICY, FIELDS.conditions(fields), facets, scope)


def _keys(conn: Connection, request: Request, scope: Sql) -> list[str]:
    fields = json_param(request, "fields")
    where = Sql.join(list(FIELDS.conditions(fields).values()), "AND", "TRUE")
    key_filter = fields.get("metadataKey") if isinstance(fields, dict) else None
    return metadata_keys(conn, "datasets", "scientificMetadata", scope & where, key_filter)


# -- public ---------------------------------------------------------------------------

PUBLIC = Sql("is_published")


@router.get("/public")
def public_list(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _find(conn, request, PUBLIC, ANONYMOUS_SCOPES)


@router.get("/public/findOne", response_model=None)
def public_find_one(conn: Connection, request: Request) -> dict[str, Any] | Response:
    return _find_one(conn, request, PUBLIC, ANONYMOUS_SCOPES)


@router.get("/public/count")
def public_count(conn: Connection, request: Request) -> dict[str, int]:
    return _count(conn, request, PUBLIC)


@router.get("/public/fullfacet")
def public_fullfacet(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _facets(conn, request, PUBLIC)


@router.get("/public/metadataKeys")
def public_metadata_keys(conn: Connection, request: Request) -> list[str]:
    return _keys(conn, request, PUBLIC)


@router.get("/public/{pid}")
def public_get(conn: Connection, pid: str, include: Include = None) -> dict[str, Any]:
    dataset = DATASETS.get(conn, path_id(pid))
    if dataset is None or dataset.get("isPublished") is not True:
        raise not_found(f"dataset: {path_id(pid)} not found")
    return _with_relations(conn, dataset, include or [], ANONYMOUS_SCOPES)


# -- authenticated --------------------------------------------------------------------


def _create_fields(ctx: Context, user: CurrentUser, body: Any) -> dict[str, Any]:
    if ctx.access.dataset_create_right(_signed_in(user)) is CreateRight.NONE:
        raise forbidden()
    return validate(dto.CreateDatasetV4, body)


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    fields = _create_fields(ctx, user, body)
    if not ctx.access.may_create_dataset(user, fields, with_pid=bool(fields.get("pid"))):
        raise forbidden("Unauthorized to create this dataset")
    doc = datasets.create(
        fields,
        username=require_user(user).username,
        pid_prefix=ctx.settings.pid_prefix,
        version=VERSION,
    )
    try:
        return DATASETS.insert(conn, classify_new_dataset(conn, doc))
    except DuplicateKey as error:
        raise conflict(f"A dataset with pid {doc['pid']} already exists!") from error


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, body: Body) -> dict[str, Any]:
    if ctx.access.dataset_create_right(_signed_in(user)) is CreateRight.NONE:
        raise forbidden()
    problems = check(dto.CreateDatasetV4, body)
    return {"valid": not problems, **({"reason": problems} if problems else {})}


def _scope(ctx: Context, user: CurrentUser) -> Sql:
    caller = _signed_in(user)
    return ctx.access.visibility(caller, shared=True, read_all=ctx.access.reads_any_dataset(caller))


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _find(conn, request, _scope(ctx, user), relation_scopes(ctx, user))


@router.get("/findOne", response_model=None)
def find_one(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, Any] | Response:
    return _find_one(conn, request, _scope(ctx, user), relation_scopes(ctx, user))


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    return _count(conn, request, _scope(ctx, user))


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    fields = json_param(request, "fields")
    return _facets(conn, request, search_scope(ctx, _signed_in(user), fields, facets=True))


@router.get("/metadataKeys")
def metadata_keys_route(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[str]:
    return _keys(conn, request, _scope(ctx, user))


@router.get("/{pid}")
def find_by_id(
    ctx: Context,
    user: CurrentUser,
    conn: Connection,
    pid: str,
    include: Include = None,
) -> dict[str, Any]:
    dataset = readable_dataset(ctx, conn, _signed_in(user), path_id(pid), as_dataset=True)
    return _with_relations(conn, dataset, include or [], relation_scopes(ctx, user))


@router.patch("/{pid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body, request: Request
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, _signed_in(user), path_id(pid), lock=True)
    before = copy.deepcopy(dataset)
    if datasets.modified_since(dataset, request.headers.get("if-unmodified-since")):
        raise precondition_failed()
    merge = request.headers.get("content-type", "").startswith("application/merge-patch+json")
    changes = validate(partial(dto.CreateDatasetV4, frozenset({"pid"})), datasets.drop_nulls(body))
    if merge and isinstance(body, dict):
        merged = datasets.merge_patch(
            dataset, {k: v for k, v in body.items() if k in changes or v is None}
        )
        changes = {k: v for k, v in merged.items() if k in body}
        for removed in (k for k, v in body.items() if v is None):
            dataset.pop(removed, None)
    updated = datasets.patch(dataset, changes, username=require_user(user).username)
    record_update(ctx, conn, "Dataset", before, updated, require_user(user).username)
    return DATASETS.replace(conn, updated)


@router.put("/{pid}")
def replace(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, _signed_in(user), path_id(pid), lock=True)
    fields = validate(dto.CreateDatasetV4, body)
    updated = datasets.replace(
        dataset, fields, username=require_user(user).username, version=VERSION
    )
    return DATASETS.replace(conn, updated)


@router.delete("/{pid}")
def delete(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(_signed_in(user)):
        raise forbidden()
    deleted = DATASETS.delete(conn, path_id(pid))
    if deleted is None:
        raise not_found(f"dataset: {path_id(pid)} not found")
    record_delete(ctx, conn, "Dataset", deleted, require_user(user).username)
    return deleted


@router.get("/{pid}/datasetlifecycle")
def lifecycle(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    found: dict[str, Any] = readable_dataset(ctx, conn, _signed_in(user), path_id(pid), as_dataset=True).get(
        "datasetlifecycle", {}
    )
    return found
