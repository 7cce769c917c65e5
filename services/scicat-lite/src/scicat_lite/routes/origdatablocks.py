"""``/api/v3/origdatablocks`` and ``/api/v4/origdatablocks``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from .. import dto
from ..deps import Body, Connection, Context, CurrentUser, filter_param, path_id
from ..errors import forbidden, not_found
from ..filters import FieldPolicy, FilterParser, Sql
from ..resources import (
    ORIGDATABLOCKS,
    new_origdatablock,
    recompute_dataset_totals,
    require_user,
    touch,
    writable_dataset,
)
from ..store import project
from ..validation import check, partial, validate

PARSER = FilterParser(FieldPolicy(renames={"id": "_id"}))
v3 = APIRouter(prefix="/api/v3/origdatablocks", tags=["origdatablocks v3"])
v4 = APIRouter(prefix="/api/v4/origdatablocks", tags=["origdatablocks v4"])


def _create(
    ctx: Context, user: CurrentUser, conn: Connection, body: Any, version: str
) -> dict[str, Any]:
    require_user(user)
    fields = validate(dto.CreateOrigDatablock, body)
    dataset = writable_dataset(ctx, conn, user, fields["datasetId"], lock=True)
    username = require_user(user).username
    block = ORIGDATABLOCKS.insert(conn, new_origdatablock(dataset, fields, username, version))
    recompute_dataset_totals(conn, dataset["pid"], username)
    return block


def _list(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request, default_limit: int
) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request), default_limit=default_limit)
    scope = ctx.access.visibility(user) & query.where
    docs = ORIGDATABLOCKS.find(conn, scope, order=query.order, limit=query.limit, skip=query.skip)
    return [project(d, query.fields) for d in docs]


def _get(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    block = ORIGDATABLOCKS.get(conn, path_id(oid))
    if block is None:
        raise not_found()
    if not ctx.access.can_see(user, block):
        raise forbidden("Unauthorized access")
    return block


def _update(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, body: Any
) -> dict[str, Any]:
    block = _get(ctx, user, conn, oid)
    writable_dataset(ctx, conn, user, block["datasetId"])
    changes = validate(partial(dto.CreateOrigDatablock, frozenset({"datasetId"})), body)
    block.update(changes)
    username = require_user(user).username
    ORIGDATABLOCKS.replace(conn, touch(block, username))
    recompute_dataset_totals(conn, block["datasetId"], username)
    return block


def _delete(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    block = ORIGDATABLOCKS.delete(conn, path_id(oid))
    if block is None:
        raise not_found()
    recompute_dataset_totals(conn, block["datasetId"], require_user(user).username)
    return block


@v3.post("", status_code=201)
def create_v3(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    return _create(ctx, user, conn, body, "3")


@v4.post("", status_code=201)
def create_v4(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    return _create(ctx, user, conn, body, "4")


@v3.post("/isValid", status_code=200)
def is_valid_v3(user: CurrentUser, body: Body) -> dict[str, Any]:
    require_user(user)
    problems = check(dto.CreateOrigDatablock, body)
    return {"valid": not problems, "errors": problems}


@v4.post("/isValid", status_code=200)
def is_valid_v4(user: CurrentUser, body: Body) -> dict[str, Any]:
    require_user(user)
    problems = check(dto.CreateOrigDatablock, body)
    return {"valid": not problems, **({"reason": problems} if problems else {})}


@v3.get("")
def list_v3(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _list(ctx, user, conn, request, 100)


@v4.get("")
def list_v4(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _list(ctx, user, conn, request, 10)


@v4.get("/public")
def list_public(ctx: Context, conn: Connection, request: Request) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request), default_limit=10)
    docs = ORIGDATABLOCKS.find(
        conn,
        Sql("is_published") & query.where,
        order=query.order,
        limit=query.limit,
        skip=query.skip,
    )
    return [project(d, query.fields) for d in docs]


@v3.get("/{oid}")
def get_v3(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    return _get(ctx, user, conn, oid)


@v4.get("/{oid}")
def get_v4(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    return _get(ctx, user, conn, oid)


@v3.patch("/{oid}")
def update_v3(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, body: Body
) -> dict[str, Any]:
    return _update(ctx, user, conn, oid, body)


@v4.patch("/{oid}")
def update_v4(
    ctx: Context, user: CurrentUser, conn: Connection, oid: str, body: Body
) -> dict[str, Any]:
    return _update(ctx, user, conn, oid, body)


@v3.delete("/{oid}")
def delete_v3(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    return _delete(ctx, user, conn, oid)


@v4.delete("/{oid}")
def delete_v4(ctx: Context, user: CurrentUser, conn: Connection, oid: str) -> dict[str, Any]:
    return _delete(ctx, user, conn, oid)
