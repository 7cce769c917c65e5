"""``GET /api/v4/metadatakeys``: the metadata keys in use, as far as the caller may see them."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..deps import Connection, Context, CurrentUser, Router, filter_param
from ..errors import bad_request
from ..filters import FieldPolicy, FilterParser, Sql
from ..store import Collection, project

router = Router(prefix="/api/v4/metadatakeys", tags=["metadata keys v4"])
METADATA_KEYS = Collection("metadata_keys")
# OutputMetadataKeyDto's fields are the ones a filter may name.
FIELDS = frozenset(
    {
        "_id",
        "id",
        "key",
        "humanReadableName",
        "userGroups",
        "sourceType",
        "usageCount",
        "isPublished",
        "createdBy",
        "updatedBy",
        "createdAt",
        "updatedAt",
    }
)
PARSER = FilterParser(FieldPolicy(roots=FIELDS), loopback=False)
DEFAULT_SORT = {"createdAt": "desc"}


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    raw = filter_param(request) or {}
    if isinstance(raw, dict):
        if raw.get("include"):
            raise bad_request("Property include should not exist in the filter object")
        raw.pop("include", None)
        limits = raw.setdefault("limits", {})
        if isinstance(limits, dict):
            limits.setdefault("sort", DEFAULT_SORT)
    query = PARSER.query(raw, default_limit=100)
    conn.execute("SELECT scicat_fold_metadata_keys()")
    if ctx.access.is_admin(user):
        scope = Sql("TRUE")
    elif user is None:
        scope = Sql("doc @> '{\"isPublished\": true}'")
    else:
        scope = Sql(
            "(doc @> '{\"isPublished\": true}' OR "
            "scicat_text_array(doc->'userGroups') && %s::text[])",
            (list(user.groups),),
        )
    docs = METADATA_KEYS.find(
        conn, scope & query.where, order=query.order, limit=query.limit or 100, skip=query.skip
    )
    return [project(doc, query.fields) for doc in docs]
