"""``/api/v3/logbooks`` and the dataset logbook routes (v3 and v4)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..auth import User
from ..deps import AppContext, Connection, Context, CurrentUser, Router, path_id
from ..errors import forbidden, http_error, not_found
from ..filters import Sql
from ..logbooks import LogbookUnavailable
from ..resources import DATASETS, PROPOSALS

router = Router(prefix="/api/v3/logbooks", tags=["logbooks"])
dataset_v3 = Router(prefix="/api/v3/datasets", tags=["datasets"])
dataset_v4 = Router(prefix="/api/v4/datasets", tags=["datasets v4"])
# Upstream's logbook filter tests the literal group "admin", not ADMIN_GROUPS.
ADMIN_ROLE = "admin"


def _signed_in(user: User | None) -> User:
    if user is None:
        raise forbidden()
    return user


def _proposal_ids(conn: Connection, user: User) -> set[str]:
    docs = PROPOSALS.find(conn, Sql("owner_group = ANY(%s)", (list(user.groups),)))
    return {doc["proposalId"] for doc in docs}


def _or_empty(doc: dict[str, Any] | None) -> dict[str, Any] | Response:
    return doc if doc is not None else Response(status_code=200)


@router.get("")
def find_all(ctx: Context, user: CurrentUser, conn: Connection) -> list[dict[str, Any]]:
    caller = _signed_in(user)
    try:
        logbooks = ctx.logbooks.find_all()
    except LogbookUnavailable as error:
        raise http_error(503, "Fetching Logbooks failed") from error
    if ADMIN_ROLE in caller.groups:
        return logbooks
    allowed = _proposal_ids(conn, caller)
    return [book for book in logbooks if book.get("name") in allowed]


@router.get("/{name}", response_model=None)
def find_by_name(
    ctx: Context, user: CurrentUser, conn: Connection, name: str, request: Request
) -> dict[str, Any] | Response:
    caller = _signed_in(user)
    logbook = ctx.logbooks.find_by_name(path_id(name), request.query_params.get("filters"))
    if logbook is None:
        return Response(status_code=200)
    if ADMIN_ROLE in caller.groups or logbook.get("name") in _proposal_ids(conn, caller):
        return logbook
    return Response(status_code=200)


def _dataset_logbook(
    ctx: AppContext, user: User | None, conn: Connection, pid: str, request: Request
) -> dict[str, Any] | Response:
    """The logbook of the dataset's first proposal, for admins and the owner group."""
    caller = _signed_in(user)
    dataset = DATASETS.get(conn, path_id(pid))
    if dataset is None:
        raise not_found(f"dataset: {path_id(pid)} not found")
    if not (ctx.access.is_admin(caller) or dataset.get("ownerGroup") in caller.groups):
        raise forbidden("Unauthorized access")
    proposals = dataset.get("proposalIds") or []
    if not proposals:
        return Response(status_code=200)
    return _or_empty(ctx.logbooks.find_by_name(proposals[0], request.query_params.get("filters")))


@dataset_v3.get("/{pid}/logbook", response_model=None)
def dataset_logbook_v3(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, request: Request
) -> dict[str, Any] | Response:
    return _dataset_logbook(ctx, user, conn, pid, request)


@dataset_v4.get("/{pid}/logbook", response_model=None)
def dataset_logbook_v4(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, request: Request
) -> dict[str, Any] | Response:
    return _dataset_logbook(ctx, user, conn, pid, request)
