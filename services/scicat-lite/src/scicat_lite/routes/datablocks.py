"""``/api/v3/datablocks`` and ``/api/v3/datasets/{pid}/datablocks``.

Top level (``datablockEndpointAccess``/``datablockInstanceAccess`` at v5.2.1): signed-in
callers only; creating needs ADMIN_GROUPS or membership of a group *named* in one of the
CREATE_DATASET* variables (the ``#all`` default names no group); reading is limited to
own, shared or published blocks except for admins and DELETE_GROUPS; updating needs a
shared (accessGroups) block or those create/delete/admin groups; deleting DELETE_GROUPS.
Dataset sub-routes follow the dataset's rights like its origdatablocks do.
"""

from __future__ import annotations

import copy
from typing import Any

import psycopg
from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..auth import User
from ..datablocks import (
    BLOCK_FIELDS,
    CREATE_FIELDS,
    DATABLOCKS,
    DATASET_BLOCK_FIELDS,
    DATASETS,
    DUPLICATE,
    check_block,
    insert_block,
    new_block,
    share,
    shift_dataset_totals,
)
from ..deps import (
    AppContext,
    Body,
    Connection,
    Context,
    CurrentUser,
    filter_param,
    json_param,
    path_id,
)
from ..errors import conflict, forbidden, http_error, not_found
from ..filters import FieldPolicy, FilterParser, Sql
from ..history import record_delete, record_update
from ..resources import readable_dataset, require_user, writable_dataset
from ..store import project
from ..timeutil import now_iso

router = APIRouter(prefix="/api/v3/datablocks", tags=["datablocks"])
dataset_router = APIRouter(prefix="/api/v3/datasets", tags=["datasets"])
PARSER = FilterParser(FieldPolicy(renames={"id": "_id"}))


def _groups(user: User) -> set[str]:
    return set(user.groups)


def _signed_in(user: User | None) -> User:
    if user is None:
        raise forbidden()
    return user


def _creators(ctx: AppContext, user: User) -> bool:
    g = ctx.settings.groups
    named = (g.create_dataset | g.create_dataset_privileged | g.create_dataset_with_pid) - {"#all"}
    return bool((named | g.admin) & _groups(user))


def _read_any(ctx: AppContext, user: User) -> bool:
    return bool((ctx.settings.groups.delete | ctx.settings.groups.admin) & _groups(user))


def _update_any(ctx: AppContext, user: User) -> bool:
    g = ctx.settings.groups
    return _creators(ctx, user) or bool(g.delete & _groups(user))


def _readable(ctx: AppContext, user: User) -> Sql:
    if _read_any(ctx, user):
        return Sql("TRUE")
    groups = list(user.groups)
    return Sql(
        "owner_group = ANY(%s) OR access_groups && %s::text[] OR is_published", (groups, groups)
    )


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    caller = _signed_in(user)
    fields = check_block(CREATE_FIELDS, body)
    if not _creators(ctx, caller):
        raise http_error(403)
    dataset = DATASETS.get(conn, fields["datasetId"], lock=True)
    fields["ownerGroup"] = fields.get("ownerGroup") or (dataset or {}).get("ownerGroup") or ""
    fields["accessGroups"] = fields.get("accessGroups") or (dataset or {}).get("accessGroups") or []
    block = insert_block(conn, new_block(fields, caller.username))
    if dataset is not None:
        shift_dataset_totals(ctx, conn, dataset, *share(block), caller.username)
    return block


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    caller = _signed_in(user)
    query = PARSER.query(filter_param(request), default_limit=100)
    docs = DATABLOCKS.find(
        conn,
        _readable(ctx, caller) & query.where,
        order=query.order,
        limit=query.limit,
        skip=query.skip,
    )
    return [project(d, query.fields) for d in docs]


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    caller = _signed_in(user)
    raw = json_param(request, "filter") or json_param(request, "where") or {}
    where = PARSER.where(raw.get("where") if isinstance(raw, dict) else None)
    return {"count": DATABLOCKS.count(conn, _readable(ctx, caller) & where)}


def _block(conn: Connection, block_id: str) -> dict[str, Any]:
    block = DATABLOCKS.get(conn, block_id, lock=True)
    if block is None:
        raise http_error(404)
    return block


@router.get("/{block_id}")
def find_by_id(ctx: Context, user: CurrentUser, conn: Connection, block_id: str) -> dict[str, Any]:
    caller = _signed_in(user)
    block = _block(conn, path_id(block_id))
    visible = (
        block.get("ownerGroup") in caller.groups
        or block.get("isPublished") is True
        or bool(set(block.get("accessGroups") or []) & _groups(caller))
    )
    if not visible and not _read_any(ctx, caller):
        raise http_error(401)
    return block


@router.patch("/{block_id}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, block_id: str, body: Body
) -> dict[str, Any]:
    caller = _signed_in(user)
    changes = check_block(CREATE_FIELDS, body, partial=True)
    block = _block(conn, path_id(block_id))
    shared = bool(set(block.get("accessGroups") or []) & _groups(caller))
    if not shared and not _update_any(ctx, caller):
        raise forbidden("Unauthorized to update this datablock")
    return _apply(ctx, conn, block, changes, caller)


def _apply(
    ctx: AppContext, conn: Connection, block: dict[str, Any], changes: dict[str, Any], user: User
) -> dict[str, Any]:
    before = copy.deepcopy(block)
    block.update({**changes, "updatedBy": user.username, "updatedAt": now_iso()})
    try:
        with conn.transaction():
            updated = DATABLOCKS.replace(conn, block)
    except psycopg.errors.UniqueViolation as error:
        raise conflict(DUPLICATE) from error
    record_update(ctx, conn, "Datablock", before, updated, user.username)
    return updated


@router.delete("/{block_id}")
def remove(ctx: Context, user: CurrentUser, conn: Connection, block_id: str) -> dict[str, Any]:
    caller = _signed_in(user)
    if not ctx.settings.groups.delete & _groups(caller):
        raise forbidden()
    block = DATABLOCKS.get(conn, path_id(block_id))
    if block is None:
        raise not_found(f"datablock: {path_id(block_id)} not found")
    dataset = DATASETS.get(conn, block["datasetId"], lock=True)
    if dataset is None:
        raise not_found(f"dataset: {block['datasetId']} not found")
    DATABLOCKS.delete(conn, block["_id"])
    record_delete(ctx, conn, "Datablock", block, caller.username)
    packed, files = share(block)
    shift_dataset_totals(ctx, conn, dataset, -packed, -files, caller.username)
    return block


# -- /api/v3/datasets/{pid}/datablocks ------------------------------------------------


def _existing_dataset(conn: Connection, pid: str) -> dict[str, Any]:
    """Delete routes: DELETE_GROUPS members may act on any dataset."""
    dataset = DATASETS.get(conn, pid, lock=True)
    if dataset is None:
        raise not_found(f"dataset: {pid} not found")
    return dataset


def _of_dataset(pid: str) -> Sql:
    return Sql("doc->>'datasetId' = %s", (pid,))


@dataset_router.post("/{pid}/datablocks", status_code=201)
def create_for_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, user, path_id(pid), lock=True)
    fields = check_block(DATASET_BLOCK_FIELDS, body)
    fields.update(
        {
            "datasetId": dataset["pid"],
            "ownerGroup": dataset["ownerGroup"],
            "accessGroups": list(dataset.get("accessGroups") or []),
        }
    )
    if dataset.get("instrumentGroup") is not None:
        fields["instrumentGroup"] = dataset["instrumentGroup"]
    username = require_user(user).username
    block = insert_block(conn, new_block(fields, username))
    shift_dataset_totals(ctx, conn, dataset, *share(block), username)
    return block


@dataset_router.get("/{pid}/datablocks")
def find_for_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> list[dict[str, Any]]:
    dataset = readable_dataset(ctx, conn, user, path_id(pid))
    return DATABLOCKS.find(conn, _of_dataset(dataset["pid"]), limit=100)


@dataset_router.get("/{pid}/datablocks/count")
def count_for_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> dict[str, int]:
    dataset = readable_dataset(ctx, conn, user, path_id(pid))
    return {"count": DATABLOCKS.count(conn, _of_dataset(dataset["pid"]))}


@dataset_router.patch("/{pid}/datablocks/{block_id}")
def update_for_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, block_id: str, body: Body
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, user, path_id(pid), lock=True)
    changes = check_block(BLOCK_FIELDS, body, partial=True)
    block = DATABLOCKS.get(conn, path_id(block_id), lock=True)
    if block is None:
        raise not_found(f"datablock: {path_id(block_id)} not found")
    old_packed, old_files = share(block)
    caller = require_user(user)
    updated = _apply(ctx, conn, block, changes, caller)
    new_packed, new_files = share(updated)
    shift_dataset_totals(
        ctx, conn, dataset, new_packed - old_packed, new_files - old_files, caller.username
    )
    return updated


@dataset_router.delete("/{pid}/datablocks/{block_id}", response_model=None)
def delete_for_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, block_id: str
) -> Response:
    if not ctx.access.can_delete(user):
        raise forbidden()
    dataset = _existing_dataset(conn, path_id(pid))
    block = DATABLOCKS.get(conn, path_id(block_id))
    if block is None or block.get("datasetId") != dataset["pid"]:
        raise not_found(f"datablock: {path_id(block_id)} not found")
    DATABLOCKS.delete(conn, block["_id"])
    caller = require_user(user)
    record_delete(ctx, conn, "Datablock", block, caller.username)
    packed, files = share(block)
    shift_dataset_totals(ctx, conn, dataset, -packed, -files, caller.username)
    return Response(status_code=200)


@dataset_router.delete("/{pid}/datablocks")
def delete_all_for_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> dict[str, int]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    dataset = _existing_dataset(conn, path_id(pid))
    removed = DATABLOCKS.delete_where(conn, _of_dataset(dataset["pid"]))
    shift_dataset_totals(ctx, conn, dataset, 0, 0, require_user(user).username, reset=True)
    return {"count": removed}
