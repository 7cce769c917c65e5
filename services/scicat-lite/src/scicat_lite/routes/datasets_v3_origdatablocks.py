"""``/api/v3/datasets/{pid}/origdatablocks``: the origdatablocks of one dataset (v3).

Readable by whoever may read the dataset (anonymous callers too, for published datasets),
writable by whoever may change it; deletes need ``DELETE_GROUPS``.
"""

from __future__ import annotations

from typing import Any

from .. import dto
from ..deps import Body, Connection, Context, CurrentUser, Router, path_id
from ..errors import forbidden, not_found
from ..resources import (
    ORIGDATABLOCKS,
    add_to_dataset_totals,
    blocks_of,
    new_origdatablock,
    readable_dataset,
    require_user,
    touch,
    writable_dataset,
)
from ..validation import check, partial, validate

router = Router(prefix="/api/v3/datasets", tags=["datasets"])
VERSION = "3"


@router.post("/{pid}/origdatablocks", status_code=201)
def create_origdatablock(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, user, path_id(pid), lock=True)
    fields = validate(dto.DatasetOrigDatablock, body)
    username = require_user(user).username
    block = ORIGDATABLOCKS.insert(conn, new_origdatablock(dataset, fields, username, VERSION))
    add_to_dataset_totals(conn, dataset, block, username)
    return block


@router.post("/{pid}/origdatablocks/isValid", status_code=200)
def origdatablock_is_valid(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    writable_dataset(ctx, conn, user, path_id(pid))
    problems = check(dto.DatasetOrigDatablock, body)
    return {"valid": not problems, "errors": problems}


@router.get("/{pid}/origdatablocks")
def find_origdatablocks(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> list[dict[str, Any]]:
    readable_dataset(ctx, conn, user, path_id(pid))
    return ORIGDATABLOCKS.find(conn, blocks_of(path_id(pid)))


@router.get("/{pid}/origdatablocks/count")
def count_origdatablocks(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> dict[str, int]:
    readable_dataset(ctx, conn, user, path_id(pid))
    return {"count": ORIGDATABLOCKS.count(conn, blocks_of(path_id(pid)))}


def _block_of(conn: Connection, pid: str, oid: str) -> dict[str, Any]:
    block = ORIGDATABLOCKS.get(conn, path_id(oid))
    if block is None or block.get("datasetId") != pid:
        raise not_found()
    return block


@router.patch("/{pid}/origdatablocks/{oid}")
def update_origdatablock(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, oid: str, body: Body
) -> dict[str, Any]:
    dataset = writable_dataset(ctx, conn, user, path_id(pid))
    block = _block_of(conn, dataset["pid"], oid)
    changes = validate(partial(dto.DatasetOrigDatablock), body)
    block.update(changes)
    return ORIGDATABLOCKS.replace(conn, touch(block, require_user(user).username))


@router.delete("/{pid}/origdatablocks/{oid}", response_model=None)
def delete_origdatablock(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, oid: str
) -> dict[str, Any] | None:
    if not ctx.access.can_delete(user):
        raise forbidden()
    dataset = readable_dataset(ctx, conn, user, path_id(pid))
    block = _block_of(conn, dataset["pid"], oid)
    ORIGDATABLOCKS.delete(conn, block["_id"])
    return block


@router.delete("/{pid}/origdatablocks")
def delete_all_origdatablocks(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> dict[str, int]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    dataset = readable_dataset(ctx, conn, user, path_id(pid))
    return {"count": ORIGDATABLOCKS.delete_where(conn, blocks_of(dataset["pid"]))}
