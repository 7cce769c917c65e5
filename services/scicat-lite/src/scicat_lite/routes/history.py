"""``/api/v3/history`` (``src/history/history.controller.ts`` at v5.2.1).

Signed-in callers only (401 otherwise); ADMIN_GROUPS read every subsystem, members of
``HISTORY_ACCESS_<SUBSYSTEM>_GROUPS`` their subsystem (403 for another). A filter that
names no subsystem is allowed for anyone who may use the endpoint at all, as upstream.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..auth import User
from ..db import UNINDEXED
from ..deps import AppContext, Connection, Context, CurrentUser, path_id
from ..errors import bad_request, forbidden, unauthenticated
from ..filters import FieldPolicy, FilterError, FilterParser, Sql, parse_json
from ..history import HISTORY, SUBSYSTEMS

router = APIRouter(prefix="/api/v3/history", tags=["history"])
PARSER = FilterParser(FieldPolicy(unindexed=UNINDEXED["history"]), loopback=False)
DEFAULT_LIMIT = 100
NEWEST_FIRST = Sql("doc->>'timestamp' DESC, seq DESC")


def _readable_subsystems(ctx: AppContext, user: User | None) -> set[str]:
    if user is None:
        raise unauthenticated()
    groups = set(user.groups)
    if ctx.settings.groups.admin & groups:
        return set(SUBSYSTEMS)
    readable = {name for name, members in ctx.settings.groups.history.items() if members & groups}
    if not readable:
        raise forbidden()
    return readable


def _check_subsystem(subsystem: Any, readable: set[str]) -> None:
    if not isinstance(subsystem, str) or subsystem not in readable:
        shown = subsystem if isinstance(subsystem, str) else "[object Object]"
        raise forbidden(f"You don't have permission to access history for {shown} collection")


def _filter(request: Request) -> dict[str, Any]:
    try:
        raw = parse_json(request.query_params.get("filter"), "filter")
    except FilterError as error:
        raise bad_request(f"Invalid filter JSON format: SyntaxError: {error}") from error
    if raw is None:
        raise bad_request('Invalid filter JSON format: SyntaxError: "undefined" is not valid JSON')
    if not isinstance(raw, dict):
        raise bad_request("Invalid filter JSON format: the filter must be an object")
    return raw


def _number(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, "", "0"):
        return None
    if not raw.isdigit():
        raise bad_request(f"{name} must be a non-negative integer")
    return int(raw)


def _page(conn: Connection, where: Sql, request: Request) -> dict[str, Any]:
    skip, limit = _number(request, "skip"), _number(request, "limit")
    items = HISTORY.find(
        conn, where, order=NEWEST_FIRST, limit=limit or DEFAULT_LIMIT, skip=skip or 0
    )
    return {
        "items": items,
        "count": len(items),
        "totalCount": HISTORY.count(conn, where),
        "skip": skip or 0,
        "limit": limit or DEFAULT_LIMIT,
    }


def _where(raw: dict[str, Any]) -> Sql:
    try:
        return PARSER.where(raw)
    except FilterError as error:
        raise bad_request(str(error)) from error


@router.get("")
def find_history(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, Any]:
    readable = _readable_subsystems(ctx, user)
    raw = _filter(request)
    if raw.get("subsystem"):
        _check_subsystem(raw["subsystem"], readable)
    return _page(conn, _where(raw), request)


@router.get("/count")
def count_history(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, int]:
    readable = _readable_subsystems(ctx, user)
    raw = _filter(request)
    if not raw.get("subsystem"):
        raise bad_request("subsystem is required in filter for permission verification")
    _check_subsystem(raw["subsystem"], readable)
    return {"count": HISTORY.count(conn, _where(raw))}


@router.get("/collection/{subsystem}")
def by_collection(
    ctx: Context, user: CurrentUser, conn: Connection, subsystem: str, request: Request
) -> dict[str, Any]:
    name = path_id(subsystem)
    _check_subsystem(name, _readable_subsystems(ctx, user))
    return _page(conn, Sql("doc->>'subsystem' = %s", (name,)), request)
