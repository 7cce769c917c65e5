"""``/api/v3/proposals`` with its attachment sub-routes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import dto
from ..auth import User
from ..context import Body, Connection, Context, CurrentUser, path_id
from ..errors import conflict, forbidden, not_found
from ..filters import FieldPolicy, FilterParser, Sql
from ..resources import (
    ATTACHMENTS,
    DATASETS,
    PROPOSALS,
    attachment_target,
    attachment_v3,
    new_attachment,
    stamp,
    touch,
)
from ..search import FieldsQuery, fullfacet, parse_facets
from ..store import DuplicateKey, project
from ..validation import check, partial, validate
from .common import filter_param, json_param

router = APIRouter(prefix="/api/v3/proposals", tags=["proposals"])
POLICY = FieldPolicy(renames={"_id": "proposalId"}, timestamp_columns={})
PARSER = FilterParser(POLICY)
FIELDS = FieldsQuery(POLICY, metadata_field="metadata")
DEFAULT_TYPE = "Default Proposal"


def _manager(ctx: Context, user: User | None) -> User:
    if user is None or not ctx.access.proposal_manager(user):
        raise forbidden()
    return user


def _scope(ctx: Context, user: User | None) -> Sql:
    return ctx.access.visibility(user, read_all=ctx.access.proposal_manager(user))


def _periods(fields: dict[str, Any]) -> None:
    for period in fields.get("MeasurementPeriodList") or []:
        period["_id"] = period.get("_id") or str(uuid.uuid4())
        period.setdefault("comment", "")


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    manager = _manager(ctx, user)
    fields = validate(dto.CreateProposal, body)
    _periods(fields)
    doc = {
        "accessGroups": [],
        "isPublished": False,
        "metadata": {},
        "parentProposalId": None,
        "type": DEFAULT_TYPE,
        "instrumentIds": [],
        "keywords": [],
        "numberOfDatasets": 0,
        **fields,
    }
    doc["_id"] = doc["proposalId"]
    try:
        return PROPOSALS.insert(conn, stamp(doc, manager.username))
    except DuplicateKey as error:
        raise conflict(f"Proposal with {doc['proposalId']} already exists") from error


@router.post("/isValid", status_code=200)
def is_valid(ctx: Context, user: CurrentUser, body: Body) -> dict[str, Any]:
    _manager(ctx, user)
    return {"valid": not check(dto.CreateProposal, body)}


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request, "filters"), default_limit=100)
    docs = PROPOSALS.find(
        conn, _scope(ctx, user) & query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(d, query.fields) for d in docs]


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    conditions = FIELDS.conditions(json_param(request, "fields"))
    where = PARSER.where(json_param(request, "filter"))
    return {
        "count": PROPOSALS.count(
            conn, _scope(ctx, user) & where & Sql.join(list(conditions.values()), "AND", "TRUE")
        )
    }


@router.get("/fullquery")
def fullquery(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    query = PARSER.query({"limits": json_param(request, "limits") or {}}, default_limit=100)
    conditions = FIELDS.conditions(json_param(request, "fields"))
    where = _scope(ctx, user) & Sql.join(list(conditions.values()), "AND", "TRUE")
    return PROPOSALS.find(conn, where, order=query.order, limit=query.limit, skip=query.skip)


@router.get("/fullfacet")
def full_facet(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    conditions = FIELDS.conditions(json_param(request, "fields"))
    facets = parse_facets(json_param(request, "facets"))
    return fullfacet(conn, "proposals", POLICY, conditions, facets, _scope(ctx, user))


def _readable(ctx: Context, user: User | None, conn: Connection, pid: str) -> dict[str, Any]:
    proposal = PROPOSALS.get(conn, path_id(pid))
    if proposal is None:
        raise not_found(f"Proposal with id {path_id(pid)} not found")
    if not ctx.access.can_see(user, proposal, read_all=ctx.access.proposal_manager(user)):
        raise forbidden("Unauthorized access")
    return proposal


@router.get("/{pid}")
def find_by_id(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    return _readable(ctx, user, conn, pid)


@router.get("/{pid}/authorization")
def authorization(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, bool]:
    proposal = PROPOSALS.get(conn, path_id(pid))
    visible = proposal is not None and ctx.access.can_see(
        user, proposal, read_all=ctx.access.proposal_manager(user)
    )
    return {"canAccess": visible}


@router.patch("/{pid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    manager = _manager(ctx, user)
    proposal = _readable(ctx, user, conn, pid)
    changes = validate(partial(dto.CreateProposal, frozenset({"proposalId"})), body)
    _periods(changes)
    proposal.update(changes)
    return PROPOSALS.replace(conn, touch(proposal, manager.username))


@router.delete("/{pid}", response_model=None)
def delete(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    deleted = PROPOSALS.delete(conn, path_id(pid))
    if deleted is None:
        raise not_found(f"Proposal with id {path_id(pid)} not found")
    return deleted


@router.get("/{pid}/datasets")
def datasets_of(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> list[dict[str, Any]]:
    proposal = _readable(ctx, user, conn, pid)
    where = Sql("doc @> %s::jsonb", (json.dumps({"proposalIds": [proposal["proposalId"]]}),))
    return DATASETS.find(conn, ctx.access.visibility(user, shared=True) & where)


# -- attachments ----------------------------------------------------------------------


@router.post("/{pid}/attachments", status_code=201)
def create_attachment(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body
) -> dict[str, Any]:
    manager = _manager(ctx, user)
    proposal = _readable(ctx, user, conn, pid)
    fields = validate(dto.CreateAttachmentV3, body)
    relation = {
        "targetId": proposal["proposalId"],
        "targetType": "proposal",
        "relationType": "is attached to",
    }
    return attachment_v3(
        ATTACHMENTS.insert(conn, new_attachment(fields, [relation], manager.username))
    )


@router.get("/{pid}/attachments")
def find_attachments(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> list[dict[str, Any]]:
    proposal = _readable(ctx, user, conn, pid)
    return [
        attachment_v3(a)
        for a in ATTACHMENTS.find(conn, attachment_target("proposal", proposal["proposalId"]))
    ]


def _attachment(conn: Connection, proposal_id: str, aid: str) -> dict[str, Any]:
    found = ATTACHMENTS.find(
        conn, Sql("id = %s", (path_id(aid),)) & attachment_target("proposal", proposal_id), limit=1
    )
    if not found:
        raise not_found()
    return found[0]


@router.patch("/{pid}/attachments/{aid}")
def update_attachment(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, aid: str, body: Body
) -> dict[str, Any]:
    manager = _manager(ctx, user)
    attachment = _attachment(conn, path_id(pid), aid)
    attachment.update(
        validate(
            partial(
                dto.CreateAttachmentV3, frozenset({"id", "datasetId", "proposalId", "sampleId"})
            ),
            body,
        )
    )
    return attachment_v3(ATTACHMENTS.replace(conn, touch(attachment, manager.username)))


@router.delete("/{pid}/attachments/{aid}", response_model=None)
def delete_attachment(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str, aid: str
) -> Response:
    _manager(ctx, user)
    ATTACHMENTS.delete(conn, _attachment(conn, path_id(pid), aid)["aid"])
    return Response(status_code=200)
