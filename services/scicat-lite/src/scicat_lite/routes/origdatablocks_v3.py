"""``/api/v3/origdatablocks``: closed to anonymous callers; users see their groups' blocks.

Reads and writes check the parent dataset, as upstream's v3 controller does: a block
is readable when its dataset is owned by, shared with (accessGroups) or published for
the caller, and writable by members of the dataset's owner group who may create datasets.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

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
from ..errors import forbidden, not_found
from ..filters import Query, Sql
from ..origdatablocks import (
    FIELDS,
    V3_PARSER,
    dataset_of,
    files_facet,
    find_blocks,
    find_files,
    insert_block,
    signed_in,
    update_block,
)
from ..resources import ORIGDATABLOCKS, recompute_dataset_totals
from ..search import fullfacet, parse_facets
from ..store import Doc
from ..validation import check, validate

router = Router(prefix="/api/v3/origdatablocks", tags=["origdatablocks"])
VERSION = "3"


def _block(conn: Connection, oid: str) -> Doc:
    block = ORIGDATABLOCKS.get(conn, path_id(oid))
    if block is None:
        raise forbidden("Unauthorized access")  # upstream's findOne throws this
    return block


def _scope(ctx: AppContext, user: User, fields: Any, *, facets: bool = False) -> Sql:
    """Own and access groups (``userGroups``); for facets ``globalaccess`` sees everything."""
    scope = ctx.access.blocks_v3_scope(user)
    if facets and "globalaccess" in user.groups:
        scope = Sql("TRUE")
    asked = fields.get("userGroups") if isinstance(fields, dict) else None
    if isinstance(asked, list) and asked:
        groups = [g for g in asked if isinstance(g, str)]
        scope = scope & Sql(
            "owner_group = ANY(%s) OR access_groups && %s::text[]", (groups, groups)
        )
    return scope


@router.post("", status_code=201)
def create(
    ctx: Context, user: CurrentUser, conn: StatementConnection, body: Body
) -> dict[str, Any]:
    caller = signed_in(ctx.access, user, write=True)
    fields = validate(dto.CreateOrigDatablock, body)
    dataset = dataset_of(conn, fields["datasetId"])
    if not ctx.access.may_create_block(caller, dataset.get("ownerGroup")):
        raise forbidden("Unauthorized access")
    return insert_block(conn, dataset, fields, caller.username, VERSION)


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    caller = signed_in(ctx.access, user, write=True)
    dataset = dataset_of(conn, body.get("datasetId") if isinstance(body, dict) else None)
    if not ctx.access.may_create_block(caller, dataset.get("ownerGroup")):
        raise forbidden("Unauthorized access")
    problems = check(dto.CreateOrigDatablock, body)
    return {"valid": not problems, "errors": problems}


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = signed_in(ctx.access, user)
    query = V3_PARSER.query(filter_param(request), default_limit=100)
    return find_blocks(conn, ctx.access.blocks_v3_scope(caller), query)


def _search(ctx: AppContext, user: User, request: Request, *, facets: bool = False) -> Sql:
    fields = json_param(request, "fields")
    conditions = FIELDS.conditions(fields)
    where = Sql.join(list(conditions.values()), "AND", "TRUE")
    return _scope(ctx, user, fields, facets=facets) & where


def _fullquery(ctx: AppContext, user: User | None, request: Request) -> tuple[Sql, Query]:
    where = _search(ctx, signed_in(ctx.access, user), request)
    query = V3_PARSER.query({"limits": json_param(request, "limits") or {}}, default_limit=100)
    return where, query


@router.get("/fullquery")
def fullquery(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    where, query = _fullquery(ctx, user, request)
    return ORIGDATABLOCKS.find(conn, where, order=query.order, limit=query.limit, skip=query.skip)


@router.get("/fullquery/files")
def fullquery_files(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    where, query = _fullquery(ctx, user, request)
    return find_files(conn, where, query)


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    """Upstream passes the facets on under the wrong key: only ``all`` is ever counted."""
    caller = signed_in(ctx.access, user)
    parse_facets(json_param(request, "facets"))
    where = _search(ctx, caller, request, facets=True)
    return fullfacet(conn, "origdatablocks", FIELDS.policy, {}, [], where)


@router.get("/fullfacet/files")
def full_facet_files(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = signed_in(ctx.access, user)
    where = _search(ctx, caller, request, facets=True)
    return files_facet(conn, where)


@router.get("/{oid}")
def find_by_id(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    caller = signed_in(ctx.access, user)
    block = _block(conn, oid)
    if not ctx.access.may_read_block(caller, dataset_of(conn, block.get("datasetId"))):
        raise forbidden("Unauthorized access")
    return block


@router.patch("/{oid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, body: Body, request: Request
) -> dict[str, Any]:
    caller = signed_in(ctx.access, user, write=True)
    block = _block(conn, oid)
    if not ctx.access.may_update_block(caller, dataset_of(conn, block.get("datasetId"))):
        raise forbidden("Unauthorized access")
    since = request.headers.get("if-unmodified-since")
    return update_block(conn, block, body, since, caller.username)


@router.delete("/{oid}")
def delete(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    block = ORIGDATABLOCKS.delete(conn, path_id(oid))
    if block is None:
        raise not_found(f"OrigDatablock: {path_id(oid)} not found")
    recompute_dataset_totals(conn, block["datasetId"], user.username if user else "")
    return block
