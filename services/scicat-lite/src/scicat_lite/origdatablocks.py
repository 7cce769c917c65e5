"""Origdatablocks: reads shared by the v3, v4 and public routes (lists, files, facets).

"Files" routes answer one row per data file: the block with ``dataFileList`` replaced
by that single file, plus ``datasetExist`` (upstream's ``$unwind`` after a ``$lookup``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from .filters import FieldPolicy, FilterParser, Query, Sql
from .resources import DATASETS, ORIGDATABLOCKS
from .search import FieldsQuery
from .store import Doc, project

# Upstream's allowed filter keys: OrigDatablock's and DataFile's fields.
BLOCK_FIELDS = frozenset(
    {
        "_id",
        "datasetId",
        "size",
        "chkAlg",
        "dataFileList",
        "ownerGroup",
        "accessGroups",
        "instrumentGroup",
        "isPublished",
        "createdBy",
        "updatedBy",
        "createdAt",
        "updatedAt",
        "version",
        "path",
        "time",
        "chk",
        "uid",
        "gid",
        "perm",
    }
)
POLICY = FieldPolicy(
    renames={"id": "_id"}, array_fields=frozenset({"dataFileList", "accessGroups"})
)
V3_PARSER = FilterParser(POLICY)
V4_PARSER = FilterParser(FieldPolicy(roots=BLOCK_FIELDS), loopback=False)
# Text search over every string of the block (upstream's wildcard text index).
FIELDS = FieldsQuery(POLICY)
INCLUDES = ("dataset", "all")


def check_includes(include: list[str]) -> list[str]:
    from .errors import bad_request

    unknown = [name for name in include if name not in INCLUDES]
    if unknown:
        raise bad_request(f"Invalid include: {unknown[0]}")
    return ["dataset"] if include else []


def with_dataset(conn: psycopg.Connection, docs: list[Doc], include: list[str]) -> list[Doc]:
    """``include=dataset``: the dataset as a one-element array (a ``$lookup``)."""
    if "dataset" not in include:
        return docs
    for doc in docs:
        found = DATASETS.get(conn, str(doc.get("datasetId")))
        doc["dataset"] = [found] if found else []
    return docs


def find_blocks(conn: psycopg.Connection, scope: Sql, query: Query) -> list[Doc]:
    docs = ORIGDATABLOCKS.find(
        conn, scope & query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(doc, query.fields) for doc in docs]


def find_files(conn: psycopg.Connection, where: Sql, query: Query) -> list[Doc]:
    """One row per data file of the matching blocks, sorted and paged after unwinding."""
    sql = (
        "SELECT doc FROM (SELECT (b.doc - 'dataFileList') || jsonb_build_object("
        "'dataFileList', f.file, 'datasetExist', EXISTS (SELECT 1 FROM datasets d "
        "WHERE d.id = b.dataset_id)) AS doc, b.seq::numeric * 1000000000 + f.n AS seq "
        "FROM origdatablocks b, jsonb_array_elements(CASE jsonb_typeof(b.doc->'dataFileList') "
        "WHEN 'array' THEN b.doc->'dataFileList' ELSE '[]'::jsonb END) WITH ORDINALITY AS f(file, n) "
        f"WHERE {where.text}) AS files ORDER BY {query.order.text}"
    )
    params: tuple[Any, ...] = where.params + query.order.params
    if query.limit is not None:
        sql += " LIMIT %s"
        params += (query.limit,)
    if query.skip:
        sql += " OFFSET %s"
        params += (query.skip,)
    rows = [row["doc"] for row in conn.execute(sql, params)]
    if query.fields is None:
        return rows
    kept = {*query.fields, "datasetExist"}
    return [project(doc, kept) for doc in rows]


def count_files(conn: psycopg.Connection, where: Sql) -> int:
    row = conn.execute(
        "SELECT coalesce(sum(CASE jsonb_typeof(doc->'dataFileList') WHEN 'array' "
        f"THEN jsonb_array_length(doc->'dataFileList') ELSE 0 END), 0) AS n "
        f"FROM origdatablocks WHERE {where.text}",
        where.params,
    ).fetchone()
    return int(row["n"]) if row else 0


def files_facet(conn: psycopg.Connection, where: Sql) -> list[dict[str, Any]]:
    """``fullfacet/files``: upstream reads the facets into the wrong key, so only ``all``."""
    total = count_files(conn, where)
    return [{"all": [{"totalSets": total}] if total else []}]


def access_fields(
    fields: Any, user_groups: list[str] | None, published_only: bool
) -> dict[str, Any]:
    """The ``fields`` object with the caller's restriction added, as upstream's controllers do."""
    merged: dict[str, Any] = dict(fields) if isinstance(fields, dict) else {}
    if published_only:
        merged["isPublished"] = True
    elif user_groups is not None:
        existing = merged.get("userGroups")
        merged["userGroups"] = [*(existing if isinstance(existing, list) else []), *user_groups]
    return merged
