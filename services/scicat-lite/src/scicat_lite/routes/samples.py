"""``/api/v3/samples`` with its attachment sub-routes."""

from __future__ import annotations

import uuid
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
    json_param,
    path_id,
)
from ..errors import conflict, forbidden, not_found, unauthenticated
from ..filters import FieldPolicy, FilterParser, Sql
from ..history import record_delete
from ..resources import (
    DATASETS,
    SAMPLES,
    readable_sample,
    stamp,
    update_tracked,
    writable_sample,
)
from ..search import FieldsQuery, metadata_keys
from ..store import DuplicateKey, project
from ..units import add_si_fields
from ..validation import partial, validate

router = Router(prefix="/api/v3/samples", tags=["samples"])
POLICY = FieldPolicy(renames={"_id": "sampleId"})
PARSER = FilterParser(POLICY)
FIELDS = FieldsQuery(POLICY, metadata_field="sampleCharacteristics")


def _scope(ctx: Context, user: User | None) -> Sql:
    return ctx.access.visibility(user, read_all=ctx.access.sample_privileged(user))


def _readable(ctx: Context, user: User | None, conn: Connection, sample_id: str) -> dict[str, Any]:
    return readable_sample(ctx, conn, user, path_id(sample_id))


@router.post("", status_code=201)
def create(
    ctx: Context, user: CurrentUser, conn: StatementConnection, body: Body
) -> dict[str, Any]:
    if user is None or not ctx.access.may_create_sample(user):
        raise forbidden()
    fields = validate(dto.CreateSample, body)
    if not ctx.access.may_write_sample(user, fields):
        raise forbidden("Unauthorized to create this sample")
    doc = {"accessGroups": [], "isPublished": False, **fields}
    doc["sampleCharacteristics"] = add_si_fields(fields.get("sampleCharacteristics") or {})
    doc["sampleId"] = fields.get("sampleId") or str(uuid.uuid4())
    doc["_id"] = doc["sampleId"]
    try:
        return SAMPLES.insert(conn, stamp(doc, user.username))
    except DuplicateKey as error:
        raise conflict(f"Sample with id {doc['sampleId']} already exists") from error


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    query = PARSER.query(filter_param(request), default_limit=100)
    docs = SAMPLES.find(
        conn, _scope(ctx, user) & query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(d, query.fields) for d in docs]


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    conditions = FIELDS.conditions(json_param(request, "fields"))
    return {
        "count": SAMPLES.count(
            conn, _scope(ctx, user) & Sql.join(list(conditions.values()), "AND", "TRUE")
        )
    }


@router.get("/fullquery")
def fullquery(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    fields = json_param(request, "fields")
    if isinstance(fields, dict) and "characteristics" in fields:
        fields = {**fields, "scientific": fields.pop("characteristics")}
    query = PARSER.query({"limits": json_param(request, "limits") or {}}, default_limit=100)
    where = _scope(ctx, user) & Sql.join(list(FIELDS.conditions(fields).values()), "AND", "TRUE")
    return SAMPLES.find(conn, where, order=query.order, limit=query.limit, skip=query.skip)


@router.get("/metadataKeys")
def metadata_keys_route(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[str]:
    fields = json_param(request, "fields")
    where = Sql.join(list(FIELDS.conditions(fields).values()), "AND", "TRUE")
    key_filter = fields.get("metadataKey") if isinstance(fields, dict) else None
    return metadata_keys(
        conn, "samples", "sampleCharacteristics", _scope(ctx, user) & where, key_filter
    )


@router.get("/findOne", response_model=None)
def find_one(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, Any] | Response:
    query = PARSER.query(filter_param(request), default_limit=1)
    docs = SAMPLES.find(
        conn, _scope(ctx, user) & query.where, order=query.order, limit=1, skip=query.skip
    )
    return project(docs[0], query.fields) if docs else Response(status_code=200)


@router.get("/{sample_id}")
def find_by_id(ctx: Context, user: CurrentUser, conn: Connection, sample_id: str) -> dict[str, Any]:
    return _readable(ctx, user, conn, sample_id)


@router.get("/{sample_id}/authorization")
def authorization(
    ctx: Context, user: CurrentUser, conn: Connection, sample_id: str
) -> dict[str, bool]:
    sample = SAMPLES.get(conn, path_id(sample_id))
    visible = sample is not None and ctx.access.can_see(
        user, sample, read_all=ctx.access.sample_privileged(user)
    )
    return {"canAccess": visible}


@router.patch("/{sample_id}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, sample_id: str, body: Body
) -> dict[str, Any]:
    writer, sample = writable_sample(ctx, conn, user, path_id(sample_id))
    changes = validate(partial(dto.CreateSample, frozenset({"sampleId"})), body)
    if "sampleCharacteristics" in changes:
        changes["sampleCharacteristics"] = add_si_fields(changes["sampleCharacteristics"] or {})
    return update_tracked(ctx, conn, SAMPLES, "Sample", sample, changes, writer.username)


@router.delete("/{sample_id}", response_model=None)
def delete(ctx: Context, user: CurrentUser, conn: Connection, sample_id: str) -> dict[str, Any]:
    if not ctx.access.can_delete(user):
        raise forbidden()
    deleted = SAMPLES.delete(conn, path_id(sample_id))
    if deleted is None:
        raise not_found(f"Sample with id {path_id(sample_id)} not found")
    record_delete(ctx, conn, "Sample", deleted, user.username if user else None)
    return deleted


@router.get("/{sample_id}/datasets")
def datasets_of(
    ctx: Context, user: CurrentUser, conn: Connection, sample_id: str
) -> list[dict[str, Any]]:
    if user is None:
        raise unauthenticated()
    sample = _readable(ctx, user, conn, sample_id)
    where = DATASETS.containing({"sampleIds": [sample["sampleId"]]})
    return DATASETS.find(conn, ctx.access.visibility(user, shared=True) & where)
