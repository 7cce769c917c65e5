"""``/api/v3/instruments``."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from .. import dto
from ..auth import User
from ..deps import Body, Connection, Context, CurrentUser, Router, filter_param, path_id
from ..errors import conflict, forbidden, not_found
from ..filters import TRUE, FieldPolicy, FilterParser
from ..resources import INSTRUMENTS, stamp, touch
from ..store import DuplicateKey, project
from ..validation import partial, validate

router = Router(prefix="/api/v3/instruments", tags=["instruments"])
PARSER = FilterParser(FieldPolicy(renames={"_id": "pid"}))
DUPLICATE = "Instrument with the same unique name already exists"


def _manager(ctx: Context, user: User | None) -> User:
    if user is None or not ctx.access.may_manage_instruments(user):
        raise forbidden()
    return user


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    manager = _manager(ctx, user)
    fields = validate(dto.CreateInstrument, body)
    doc = {"customMetadata": {}, **fields}
    doc["pid"] = fields.get("pid") or f"{ctx.settings.pid_prefix}{uuid.uuid4()}"
    doc["_id"] = doc["pid"]
    try:
        return INSTRUMENTS.insert(conn, stamp(doc, manager.username))
    except DuplicateKey as error:
        raise conflict(DUPLICATE) from error


@router.get("")
def find_all(conn: Connection, request: Request) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request), default_limit=100)
    docs = INSTRUMENTS.find(
        conn, query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(d, query.fields) for d in docs]


@router.get("/count")
def count(conn: Connection, request: Request) -> dict[str, int]:
    raw = filter_param(request)
    where = PARSER.where(raw.get("where")) if isinstance(raw, dict) else TRUE
    return {"count": INSTRUMENTS.count(conn, where)}


@router.get("/findOne", response_model=None)
def find_one(conn: Connection, request: Request) -> dict[str, Any] | Response:
    query = PARSER.query(filter_param(request), default_limit=1)
    docs = INSTRUMENTS.find(conn, query.where, order=query.order, limit=1, skip=query.skip)
    return project(docs[0], query.fields) if docs else Response(status_code=200)


def _get(conn: Connection, pid: str) -> dict[str, Any]:
    instrument = INSTRUMENTS.get(conn, path_id(pid))
    if instrument is None:
        raise not_found()
    return instrument


@router.get("/{pid}")
def find_by_id(conn: Connection, pid: str) -> dict[str, Any]:
    return _get(conn, pid)


@router.patch("/{pid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    manager = _manager(ctx, user)
    instrument = _get(conn, pid)
    instrument.update(validate(partial(dto.CreateInstrument, frozenset({"pid"})), body))
    try:
        with conn.transaction():
            return INSTRUMENTS.replace(conn, touch(instrument, manager.username))
    except Exception as error:
        if "instruments_unique_name" in str(error):
            raise conflict(DUPLICATE) from error
        raise


@router.delete("/{pid}")
def delete(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    deleted = INSTRUMENTS.delete(conn, path_id(pid))
    if deleted is None:
        raise not_found()
    return deleted
