"""``/api/v3/proposals`` with its attachment sub-routes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request

from .. import dto
from ..auth import User
from ..deps import Body, Connection, Context, CurrentUser, Router, filter_param, json_param, path_id
from ..errors import conflict, forbidden, not_found
from ..filters import FieldPolicy, FilterParser, Sql
from ..history import record_delete
from ..resources import (
    DATASETS,
    PROPOSALS,
    proposal_manager,
    readable_proposal,
    stamp,
    update_tracked,
)
from ..search import FieldsQuery, fullfacet, parse_facets
from ..store import DuplicateKey, project
from ..validation import check, partial, validate

router = Router(prefix="/api/v3/proposals", tags=["proposals"])
POLICY = FieldPolicy(
    renames={"_id": "proposalId"},
    timestamp_columns={},
    array_fields=frozenset(
        {
            "accessGroups",
            "keywords",
            "instrumentIds",
            "MeasurementPeriodList",
            "relatedPublications",
        }
    ),
)
PARSER = FilterParser(POLICY)
FIELDS = FieldsQuery(POLICY, metadata_field="metadata")
DEFAULT_TYPE = "Default Proposal"


def _scope(ctx: Context, user: User | None) -> Sql:
    return ctx.access.visibility(user, read_all=ctx.access.proposal_manager(user))


def _periods(fields: dict[str, Any]) -> None:
    for period in fields.get("MeasurementPeriodList") or []:
        period["_id"] = period.get("_id") or str(uuid.uuid4())
        period.setdefault("comment", "")


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    manager = proposal_manager(ctx, user)
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
    proposal_manager(ctx, user)
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
    return readable_proposal(ctx, conn, user, path_id(pid))


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
    manager = proposal_manager(ctx, user)
    proposal = _readable(ctx, user, conn, pid)
    changes = validate(partial(dto.CreateProposal, frozenset({"proposalId"})), body)
    _periods(changes)
    return update_tracked(ctx, conn, PROPOSALS, "Proposal", proposal, changes, manager.username)


@router.delete("/{pid}", response_model=None)
def delete(ctx: Context, user: CurrentUser, conn: Connection, pid: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    deleted = PROPOSALS.delete(conn, path_id(pid))
    if deleted is None:
        raise not_found(f"Proposal with id {path_id(pid)} not found")
    record_delete(ctx, conn, "Proposal", deleted, user.username if user else None)
    return deleted


@router.get("/{pid}/datasets")
def datasets_of(
    ctx: Context, user: CurrentUser, conn: Connection, pid: str
) -> list[dict[str, Any]]:
    proposal = _readable(ctx, user, conn, pid)
    where = DATASETS.containing({"proposalIds": [proposal["proposalId"]]})
    return DATASETS.find(conn, ctx.access.visibility(user, shared=True) & where)
