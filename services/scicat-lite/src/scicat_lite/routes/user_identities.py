"""``/api/v3/useridentities``: look up an identity (own, or any as admin), check an email."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from ..deps import Connection, Context, CurrentUser, Router
from ..errors import bad_request, forbidden, not_found, unauthenticated
from ..filters import FieldPolicy, FilterError, WhereTranslator
from ..identity import store

router = Router(prefix="/api/v3/useridentities", tags=["user identities"])
POLICY = FieldPolicy()


def _where(request: Request, *, email_fallback: bool = False) -> dict[str, Any]:
    """The ``where`` of the ``filter`` header, else of the ``filter`` query parameter."""
    header = request.headers.get("filter")
    raw = header if header is not None else request.query_params.get("filter") or "{}"
    try:
        parsed = json.loads(raw)
    except ValueError as error:
        if header is None and email_fallback:
            return {"profile.email": raw}
        raise bad_request(f"Invalid JSON in filter: {error}") from error
    where = parsed.get("where") if isinstance(parsed, dict) else None
    return where if isinstance(where, dict) else {}


def _find(conn: Connection, where: dict[str, Any]) -> dict[str, Any] | None:
    try:
        condition = WhereTranslator(POLICY).translate(where)
    except FilterError as error:
        raise bad_request(str(error)) from error
    return store.find_identity(conn, condition)


@router.get("/findOne")
def find_one(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, Any]:
    if user is None:
        raise unauthenticated()
    where = _where(request)
    admin = ctx.access.is_admin(user)
    if not admin:
        where = {"userId": user.id, **where}
    identity = _find(conn, where)
    if identity is None:
        raise not_found()
    if not admin and identity.get("userId") != user.id:
        raise forbidden("Access Forbidden or Unauthorized")
    return identity


@router.get("/isValidEmail")
def is_valid_email(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> bool:
    if user is None:
        raise unauthenticated()
    if not ctx.access.is_admin(user):
        raise forbidden()
    return _find(conn, _where(request, email_fallback=True)) is not None
