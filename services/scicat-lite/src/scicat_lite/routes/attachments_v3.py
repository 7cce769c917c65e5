"""The v3 attachment sub-routes of datasets, proposals and samples, written once.

Upstream gives each parent its own subset of routes and its own permission checks; a
:class:`Parent` states them, and one set of handlers serves all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from .. import dto
from ..auth import User
from ..deps import AppContext, Body, Connection, Context, CurrentUser, Router, path_id
from ..errors import conflict, not_found
from ..filters import Sql
from ..resources import (
    ATTACHMENTS,
    attachment_target,
    attachment_v3,
    managed_proposal,
    new_attachment,
    readable_dataset,
    readable_proposal,
    readable_sample,
    require_user,
    touch,
    writable_dataset,
    writable_sample,
)
from ..store import Doc, DuplicateKey
from ..validation import partial, validate

Loader = Callable[[AppContext, Any, User | None, str], Doc]
WriterLoader = Callable[[AppContext, Any, User | None, str], tuple[User, Doc]]
_READ_ONLY = frozenset({"id", "datasetId", "proposalId", "sampleId"})


def _dataset_writer(ctx: AppContext, conn: Any, user: User | None, pid: str) -> tuple[User, Doc]:
    dataset = writable_dataset(ctx, conn, user, pid)
    return require_user(user), dataset


@dataclass(frozen=True)
class Parent:
    """One kind of document that carries v3 attachments, and its upstream rules."""

    prefix: str
    target_type: str
    id_field: str
    readable: Loader
    writer: WriterLoader
    routes: frozenset[str]
    update_method: str = "PUT"
    # The attachment takes the parent's ownerGroup/accessGroups instead of the body's.
    inherits_ownership: bool = False
    # DELETE_GROUPS members may delete without being allowed to write the parent.
    deleters_skip_write_check: bool = False


PARENTS = (
    Parent(
        prefix="/api/v3/datasets",
        target_type="dataset",
        id_field="pid",
        readable=readable_dataset,
        writer=_dataset_writer,
        routes=frozenset({"create", "list", "count", "update", "delete", "delete_all"}),
        inherits_ownership=True,
    ),
    Parent(
        prefix="/api/v3/proposals",
        target_type="proposal",
        id_field="proposalId",
        readable=readable_proposal,
        writer=managed_proposal,
        routes=frozenset({"create", "list", "update", "delete"}),
        update_method="PATCH",
    ),
    Parent(
        prefix="/api/v3/samples",
        target_type="sample",
        id_field="sampleId",
        readable=readable_sample,
        writer=writable_sample,
        routes=frozenset({"create", "list", "get", "delete"}),
        deleters_skip_write_check=True,
    ),
)


def _attachment_of(conn: Any, parent: Parent, parent_id: str, aid: str) -> Doc:
    found = ATTACHMENTS.find(
        conn,
        Sql("id = %s", (path_id(aid),)) & attachment_target(parent.target_type, parent_id),
        limit=1,
    )
    if not found:
        raise not_found()
    return found[0]


def _register(router: APIRouter, parent: Parent) -> None:
    base = f"{parent.prefix}/{{pid}}/attachments"
    tags: list[str | Enum] = [parent.prefix.rsplit("/", 1)[-1]]

    def create(
        ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
    ) -> dict[str, Any]:
        writer, owner = parent.writer(ctx, conn, user, path_id(pid))
        fields = validate(dto.CreateAttachmentV3, body)
        if parent.inherits_ownership:
            fields["ownerGroup"] = owner["ownerGroup"]
            fields["accessGroups"] = owner.get("accessGroups") or []
        relation = {
            "targetId": owner[parent.id_field],
            "targetType": parent.target_type,
            "relationType": "is attached to",
        }
        doc = new_attachment(fields, [relation], writer.username)
        try:
            return attachment_v3(ATTACHMENTS.insert(conn, doc))
        except DuplicateKey as error:
            raise conflict(f"Attachment with id {doc['aid']} already exists") from error

    def find_all(
        ctx: Context, user: CurrentUser, conn: Connection, pid: str
    ) -> list[dict[str, Any]]:
        owner = parent.readable(ctx, conn, user, path_id(pid))
        target = attachment_target(parent.target_type, owner[parent.id_field])
        return [attachment_v3(a) for a in ATTACHMENTS.find(conn, target)]

    def count(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, int]:
        owner = parent.readable(ctx, conn, user, path_id(pid))
        target = attachment_target(parent.target_type, owner[parent.id_field])
        return {"count": ATTACHMENTS.count(conn, target)}

    def find_one(
        ctx: Context, user: CurrentUser, conn: Connection, pid: str, aid: str
    ) -> dict[str, Any]:
        owner = parent.readable(ctx, conn, user, path_id(pid))
        return attachment_v3(_attachment_of(conn, parent, owner[parent.id_field], aid))

    def update(
        ctx: Context, user: CurrentUser, conn: Connection, pid: str, aid: str, body: Body
    ) -> dict[str, Any]:
        writer, owner = parent.writer(ctx, conn, user, path_id(pid))
        attachment = _attachment_of(conn, parent, owner[parent.id_field], aid)
        attachment.update(validate(partial(dto.CreateAttachmentV3, _READ_ONLY), body))
        return attachment_v3(ATTACHMENTS.replace(conn, touch(attachment, writer.username)))

    def delete(ctx: Context, user: CurrentUser, conn: Connection, pid: str, aid: str) -> Response:
        parent_id = path_id(pid)
        if not (parent.deleters_skip_write_check and ctx.access.can_delete(user)):
            parent_id = parent.writer(ctx, conn, user, parent_id)[1][parent.id_field]
        ATTACHMENTS.delete(conn, _attachment_of(conn, parent, parent_id, aid)["aid"])
        return Response(status_code=200)

    def delete_all(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, int]:
        owner = parent.writer(ctx, conn, user, path_id(pid))[1]
        target = attachment_target(parent.target_type, owner[parent.id_field])
        return {"count": ATTACHMENTS.delete_where(conn, target)}

    # Fixed paths before parameterised ones, so "count" is never taken for an aid.
    table: list[tuple[str, str, str, Callable[..., Any], int]] = [
        ("create", base, "POST", create, 201),
        ("list", base, "GET", find_all, 200),
        ("count", f"{base}/count", "GET", count, 200),
        ("get", f"{base}/{{aid}}", "GET", find_one, 200),
        ("update", f"{base}/{{aid}}", parent.update_method, update, 200),
        ("delete", f"{base}/{{aid}}", "DELETE", delete, 200),
        ("delete_all", base, "DELETE", delete_all, 200),
    ]
    for name, path, method, endpoint, status in table:
        if name in parent.routes:
            router.add_api_route(
                path,
                endpoint,
                methods=[method],
                status_code=status,
                tags=tags,
                response_model=None,
                name=f"{parent.target_type}_attachment_{name}",
            )


router = Router()
for _parent in PARENTS:
    _register(router, _parent)
