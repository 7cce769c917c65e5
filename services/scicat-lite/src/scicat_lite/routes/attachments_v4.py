"""``/api/v4/attachments``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from .. import dto
from ..auth import User
from ..deps import (
    Body,
    Connection,
    Context,
    CurrentUser,
    Router,
    StatementConnection,
    filter_param,
    path_id,
)
from ..errors import conflict, forbidden, not_found
from ..filters import FieldPolicy, FilterParser, Sql
from ..resources import ATTACHMENTS, new_attachment, require_user, touch
from ..store import DuplicateKey, project
from ..validation import check, partial, validate

router = Router(prefix="/api/v4/attachments", tags=["attachments v4"])
PARSER = FilterParser(FieldPolicy(renames={"_id": "aid"}), loopback=False)


def _endpoint(ctx: Context, user: User | None) -> User:
    if user is None or not ctx.access.may_use_attachment_endpoint(user):
        raise forbidden()
    return user


def _with_relation_type(relationships: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"relationType": "is attached to", **r} for r in relationships or []]


def _fields(body: Any, model: type[Any]) -> dict[str, Any]:
    fields = validate(model, body)
    fields["relationships"] = _with_relation_type(fields.get("relationships"))
    return fields


@router.post("", status_code=201)
def create(
    ctx: Context, user: CurrentUser, conn: StatementConnection, body: Body
) -> dict[str, Any]:
    signed_in = _endpoint(ctx, user)
    fields = _fields(body, dto.CreateAttachmentV4)
    if not ctx.access.may_write_attachment(signed_in, fields):
        raise forbidden("Unauthorized to create this attachment")
    doc = new_attachment(fields, fields["relationships"], signed_in.username)
    try:
        return ATTACHMENTS.insert(conn, doc)
    except DuplicateKey as error:
        raise conflict(f"Attachment with aid {doc['aid']} already exists") from error


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, body: Body) -> dict[str, Any]:
    _endpoint(ctx, user)
    problems = check(dto.CreateAttachmentV4, body)
    return {"valid": not problems, **({"reason": problems} if problems else {})}


def _list(conn: Connection, request: Request, scope: Sql) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request), default_limit=10)
    docs = ATTACHMENTS.find(
        conn, scope & query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(d, query.fields) for d in docs]


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    return _list(conn, request, ctx.access.visibility(user))


@router.get("/public")
def find_public(conn: Connection, request: Request) -> list[dict[str, Any]]:
    return _list(conn, request, Sql("is_published"))


def _get(ctx: Context, user: User | None, conn: Connection, aid: str) -> dict[str, Any]:
    attachment = ATTACHMENTS.get(conn, path_id(aid))
    if attachment is None:
        raise not_found()
    if not ctx.access.can_see(user, attachment):
        raise forbidden("Unauthorized access")
    return attachment


def _writable(
    ctx: Context, user: User | None, conn: Connection, aid: str
) -> tuple[User, dict[str, Any]]:
    signed_in = _endpoint(ctx, user)
    attachment = _get(ctx, user, conn, aid)
    if not ctx.access.may_write_attachment(signed_in, attachment):
        raise forbidden("Unauthorized to update this attachment")
    return signed_in, attachment


@router.get("/{aid}")
def find_one(ctx: Context, user: CurrentUser, conn: Connection, aid: str) -> dict[str, Any]:
    return _get(ctx, user, conn, aid)


@router.patch("/{aid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, aid: str, body: Body
) -> dict[str, Any]:
    signed_in, attachment = _writable(ctx, user, conn, aid)
    changes = validate(partial(dto.CreateAttachmentV4, frozenset({"aid"})), body)
    if "relationships" in changes:
        changes["relationships"] = _with_relation_type(changes["relationships"])
    attachment.update(changes)
    return ATTACHMENTS.replace(conn, touch(attachment, signed_in.username))


@router.put("/{aid}")
def replace(
    ctx: Context, user: CurrentUser, conn: Connection, aid: str, body: Body
) -> dict[str, Any]:
    signed_in, attachment = _writable(ctx, user, conn, aid)
    fields = _fields(body, dto.CreateAttachmentV4)
    fields["aid"] = attachment["aid"]
    doc = new_attachment(fields, fields["relationships"], signed_in.username)
    doc.update({"createdBy": attachment["createdBy"], "createdAt": attachment["createdAt"]})
    return ATTACHMENTS.replace(conn, doc)


@router.delete("/{aid}", response_model=None)
def delete(ctx: Context, user: CurrentUser, conn: Connection, aid: str) -> Response:
    signed_in = require_user(user)
    attachment = _get(ctx, user, conn, aid)
    if not (
        ctx.access.can_delete(signed_in) or ctx.access.may_write_attachment(signed_in, attachment)
    ):
        raise forbidden()
    ATTACHMENTS.delete(conn, attachment["aid"])
    return Response(status_code=200)
