"""``/api/v4/origdatablocks`` (signed-in callers) and ``/api/v4/origdatablocks/public``.

Authenticated lists show the blocks whose own owner/access groups, ``sharedWith`` or
``isPublished`` admit the caller; the public routes show the blocks whose own
``isPublished`` is true (not their dataset's). Writes check the block and its dataset.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from .. import dto
from ..auth import User
from ..deps import (
    AppContext,
    Body,
    Connection,
    Context,
    CurrentUser,
    Router,
    StatementConnection,
    filter_param,
    json_param,
    path_id,
)
from ..errors import bad_request, forbidden, not_found
from ..filters import Sql
from ..origdatablocks import (
    FIELDS,
    V4_PARSER,
    check_includes,
    count_files,
    dataset_of,
    files_facet,
    find_blocks,
    find_files,
    insert_block,
    require_dataset,
    signed_in,
    update_block,
    with_dataset,
)
from ..resources import DATASETS, ORIGDATABLOCKS, recompute_dataset_totals
from ..search import fullfacet, parse_facets
from ..store import Doc
from ..validation import check, validate

router = Router(prefix="/api/v4/origdatablocks", tags=["origdatablocks v4"])
VERSION = "4"
PUBLIC = Sql("is_published")
_DEFAULT_LIMITS = {"limit": 10, "skip": 0, "sort": {"createdAt": "desc"}}
Include = Annotated[list[str] | None, Query()]


def _scope(ctx: AppContext, user: User) -> Sql:
    return ctx.access.visibility(user, shared=True)


def _query(request: Request) -> Any:
    raw = filter_param(request) or {}
    if isinstance(raw, dict) and "limits" not in raw:
        raw["limits"] = dict(_DEFAULT_LIMITS)
    query = V4_PARSER.query(raw, default_limit=10)
    return query, check_includes(query.include)


def _list(conn: Connection, scope: Sql, request: Request) -> list[dict[str, Any]]:
    query, include = _query(request)
    return with_dataset(conn, find_blocks(conn, scope, query), include)


def _files(conn: Connection, scope: Sql, request: Request) -> list[dict[str, Any]]:
    query, _ = _query(request)
    return find_files(conn, scope & query.where, query)


def _files_count(conn: Connection, scope: Sql, request: Request) -> dict[str, int]:
    raw = filter_param(request) or {}
    if not isinstance(raw, dict) or set(raw) - {"where"}:
        raise bad_request("Only where is allowed in a count filter")
    return {"count": count_files(conn, scope & V4_PARSER.where(raw.get("where")))}


def _facets(conn: Connection, scope: Sql, request: Request) -> list[dict[str, Any]]:
    conditions = FIELDS.conditions(json_param(request, "fields"))
    facets = parse_facets(json_param(request, "facets"))
    where = scope & Sql.join(list(conditions.values()), "AND", "TRUE")
    return fullfacet(conn, "origdatablocks", FIELDS.policy, {}, facets, where)


def _facet_scope(ctx: AppContext, user: User) -> Sql:
    """Upstream's ``userGroups`` facet filter: owner or access group, all for globalaccess."""
    if ctx.access.is_admin(user) or "globalaccess" in user.groups:
        return Sql("TRUE")
    return ctx.access.blocks_v3_scope(user)


def _files_facet(conn: Connection, scope: Sql, request: Request) -> list[dict[str, Any]]:
    conditions = FIELDS.conditions(json_param(request, "fields"))
    return files_facet(conn, scope & Sql.join(list(conditions.values()), "AND", "TRUE"))


# -- public (anyone) ------------------------------------------------------------------


@router.get("/public")
def public_list(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _list(conn, PUBLIC, request)


@router.get("/public/files")
def public_files(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _files(conn, PUBLIC, request)


@router.get("/public/files/count")
def public_files_count(conn: Connection, request: Request) -> dict[str, int]:
    return _files_count(conn, PUBLIC, request)


@router.get("/public/fullfacet")
def public_fullfacet(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _facets(conn, PUBLIC, request)


@router.get("/public/fullfacet/files")
def public_fullfacet_files(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _files_facet(conn, PUBLIC, request)


@router.get("/public/{oid}", response_model=None)
def public_get(conn: Connection, oid: str, include: Include = None) -> dict[str, Any] | Response:
    block = ORIGDATABLOCKS.get(conn, path_id(oid))
    if block is None or block.get("isPublished") is not True:
        return Response(status_code=200)
    return with_dataset(conn, [block], check_includes(include or []))[0]


# -- signed-in callers ----------------------------------------------------------------


@router.post("", status_code=201)
def create(
    ctx: Context, user: CurrentUser, conn: StatementConnection, body: Body
) -> dict[str, Any]:
    caller = signed_in(ctx.access, user, write=True)
    fields = validate(dto.CreateOrigDatablock, body)
    found = DATASETS.get(conn, fields["datasetId"])
    owner_group = found.get("ownerGroup") if found else fields.get("ownerGroup")
    if not ctx.access.may_create_block(caller, owner_group):
        raise forbidden("Unauthorized access")
    dataset = require_dataset(found, fields["datasetId"])
    if not ctx.access.may_write_dataset(caller, dataset):
        raise forbidden("Unauthorized access")
    return insert_block(conn, dataset, fields, caller.username, VERSION)


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    caller = signed_in(ctx.access, user, write=True)
    source = body if isinstance(body, dict) else {}
    if not ctx.access.may_create_block(caller, source.get("ownerGroup")):
        raise forbidden("Unauthorized access")
    dataset = dataset_of(conn, source.get("datasetId"))
    if not ctx.access.may_write_dataset(caller, dataset):
        raise forbidden("Unauthorized access")
    problems = check(dto.CreateOrigDatablock, body)
    return {"valid": not problems, "reason": problems}


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _list(conn, _scope(ctx, signed_in(ctx.access, user)), request)


@router.get("/files")
def files(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _files(conn, _scope(ctx, signed_in(ctx.access, user)), request)


@router.get("/files/count")
def files_count(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, int]:
    return _files_count(conn, _scope(ctx, signed_in(ctx.access, user)), request)


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _facets(conn, _facet_scope(ctx, signed_in(ctx.access, user)), request)


@router.get("/fullfacet/files")
def full_facet_files(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _files_facet(conn, _facet_scope(ctx, signed_in(ctx.access, user)), request)


def _existing(conn: Connection, oid: str) -> Doc:
    block = ORIGDATABLOCKS.get(conn, path_id(oid))
    if block is None:
        raise not_found(f"OrigDatablock: {path_id(oid)} not found")
    return block


@router.get("/{oid}")
def find_by_id(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, include: Include = None
) -> dict[str, Any]:
    caller = signed_in(ctx.access, user)
    block = _existing(conn, oid)
    if not ctx.access.may_read_block(caller, block):
        raise forbidden("Unauthorized access")
    if not ctx.access.can_see(caller, dataset_of(conn, block.get("datasetId"))):
        raise forbidden("Unauthorized access")
    return with_dataset(conn, [block], check_includes(include or []))[0]


@router.patch("/{oid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, body: Body, request: Request
) -> dict[str, Any]:
    caller = signed_in(ctx.access, user, write=True)
    block = _existing(conn, oid)
    if not ctx.access.may_update_block(caller, block):
        raise forbidden("Unauthorized access")
    if not ctx.access.may_write_dataset(caller, dataset_of(conn, block.get("datasetId"))):
        raise forbidden("Unauthorized access")
    since = request.headers.get("if-unmodified-since")
    return update_block(conn, block, body, since, caller.username)


@router.delete("/{oid}")
def delete(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    caller = signed_in(ctx.access, user)
    if not ctx.access.can_delete(caller):
        raise forbidden()
    block = _existing(conn, oid)
    ORIGDATABLOCKS.delete(conn, block["_id"])
    recompute_dataset_totals(conn, block["datasetId"], caller.username)
    return block
