"""``/api/v3/origdatablocks``: closed to anonymous callers; users see their groups' blocks.

Reads and writes check the parent dataset, as upstream's v3 controller does: a block
is readable when its dataset is owned by, shared with (accessGroups) or published for
the caller, and writable by members of the dataset's owner group who may create datasets.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from .. import dto
from ..access import CreateRight
from ..auth import User
from ..datasets import modified_since
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
from ..errors import forbidden, not_found, precondition_failed
from ..filters import Sql
from ..origdatablocks import FIELDS, V3_PARSER, files_facet, find_blocks, find_files
from ..resources import (
    DATASETS,
    ORIGDATABLOCKS,
    new_origdatablock,
    recompute_dataset_totals,
    touch,
)
from ..search import fullfacet, parse_facets
from ..store import Doc
from ..validation import check, partial, validate

router = Router(prefix="/api/v3/origdatablocks", tags=["origdatablocks"])
VERSION = "3"


def _endpoint(ctx: AppContext, user: User | None, *, write: bool = False) -> User:
    """Anonymous callers are refused; writing needs the right to create datasets."""
    if user is None:
        raise forbidden()
    if write and ctx.access.dataset_create_right(user) is CreateRight.NONE:
        raise forbidden()
    return user


def _dataset(conn: Connection, pid: Any) -> Doc:
    dataset = DATASETS.get(conn, str(pid)) if isinstance(pid, str) else None
    if dataset is None:
        raise not_found(f"Dataset: {pid} not found for attaching an origdatablock")
    return dataset


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
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    caller = _endpoint(ctx, user, write=True)
    fields = validate(dto.CreateOrigDatablock, body)
    dataset = _dataset(conn, fields["datasetId"])
    if not ctx.access.may_create_block(caller, dataset.get("ownerGroup")):
        raise forbidden("Unauthorized access")
    block = ORIGDATABLOCKS.insert(
        conn, new_origdatablock(dataset, fields, caller.username, VERSION)
    )
    recompute_dataset_totals(conn, dataset["pid"], caller.username)
    return block


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    caller = _endpoint(ctx, user, write=True)
    dataset = _dataset(conn, body.get("datasetId") if isinstance(body, dict) else None)
    if not ctx.access.may_create_block(caller, dataset.get("ownerGroup")):
        raise forbidden("Unauthorized access")
    problems = check(dto.CreateOrigDatablock, body)
    return {"valid": not problems, "errors": problems}


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = _endpoint(ctx, user)
    query = V3_PARSER.query(filter_param(request), default_limit=100)
    return find_blocks(conn, ctx.access.blocks_v3_scope(caller), query)


def _search(
    ctx: AppContext, user: User, request: Request, *, facets: bool = False
) -> tuple[Any, Sql]:
    fields = json_param(request, "fields")
    conditions = FIELDS.conditions(fields)
    where = Sql.join(list(conditions.values()), "AND", "TRUE")
    return fields, _scope(ctx, user, fields, facets=facets) & where


@router.get("/fullquery")
def fullquery(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = _endpoint(ctx, user)
    _, where = _search(ctx, caller, request)
    query = V3_PARSER.query({"limits": json_param(request, "limits") or {}}, default_limit=100)
    return ORIGDATABLOCKS.find(conn, where, order=query.order, limit=query.limit, skip=query.skip)


@router.get("/fullquery/files")
def fullquery_files(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = _endpoint(ctx, user)
    _, where = _search(ctx, caller, request)
    query = V3_PARSER.query({"limits": json_param(request, "limits") or {}}, default_limit=100)
    return find_files(conn, where, query)


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    """Upstream passes the facets on under the wrong key: only ``all`` is ever counted."""
    caller = _endpoint(ctx, user)
    parse_facets(json_param(request, "facets"))
    _, where = _search(ctx, caller, request, facets=True)
    return fullfacet(conn, "origdatablocks", FIELDS.policy, {}, [], where)


@router.get("/fullfacet/files")
def full_facet_files(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = _endpoint(ctx, user)
    _, where = _search(ctx, caller, request, facets=True)
    return files_facet(conn, where)


@router.get("/{oid}")
def find_by_id(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    caller = _endpoint(ctx, user)
    block = _block(conn, oid)
    if not ctx.access.may_read_block(caller, _dataset(conn, block.get("datasetId"))):
        raise forbidden("Unauthorized access")
    return block


@router.patch("/{oid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, body: Body, request: Request
) -> dict[str, Any]:
    caller = _endpoint(ctx, user, write=True)
    block = _block(conn, oid)
    if not ctx.access.may_update_block(caller, _dataset(conn, block.get("datasetId"))):
        raise forbidden("Unauthorized access")
    changes = validate(partial(dto.CreateOrigDatablock, frozenset({"datasetId"})), body)
    if modified_since(block, request.headers.get("if-unmodified-since")):
        raise precondition_failed()
    block.update(changes)
    ORIGDATABLOCKS.replace(conn, touch(block, caller.username))
    recompute_dataset_totals(conn, block["datasetId"], caller.username)
    return block


@router.delete("/{oid}")
def delete(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    block = ORIGDATABLOCKS.delete(conn, path_id(oid))
    if block is None:
        raise not_found(f"OrigDatablock: {path_id(oid)} not found")
    recompute_dataset_totals(conn, block["datasetId"], user.username if user else "")
    return block
