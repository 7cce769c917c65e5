"""Origdatablocks: what the v3, v4 and public routes share (reads, files, facets, writes).

"Files" routes answer one row per data file: the block with ``dataFileList`` replaced
by that single file, plus ``datasetExist`` (upstream's ``$unwind`` after a ``$lookup``).
"""

from __future__ import annotations

from typing import Any

import psycopg

from . import dto
from .access import Access, CreateRight
from .auth import User
from .datasets import modified_since
from .errors import bad_request, forbidden, not_found, precondition_failed
from .filters import FieldPolicy, FilterParser, Query, Sql
from .resources import (
    DATASETS,
    ORIGDATABLOCKS,
    insert_with_dataset_totals,
    new_origdatablock,
    recompute_dataset_totals,
    touch,
)
from .search import FieldsQuery
from .store import Doc, project
from .validation import partial, validate

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


# -- writes: the checks and bookkeeping of the top-level v3 and v4 routes --------------


def signed_in(access: Access, user: User | None, *, write: bool = False) -> User:
    """Anonymous callers are refused; writing needs the right to create datasets."""
    if user is None:
        raise forbidden()
    if write and access.dataset_create_right(user) is CreateRight.NONE:
        raise forbidden()
    return user


def dataset_of(conn: psycopg.Connection, pid: Any) -> Doc:
    """The dataset a block names (``datasetId``), or 404 as upstream words it."""
    found = DATASETS.get(conn, pid) if isinstance(pid, str) else None
    return require_dataset(found, pid)


def require_dataset(dataset: Doc | None, pid: Any) -> Doc:
    if dataset is None:
        raise not_found(f"Dataset: {pid} not found for attaching an origdatablock")
    return dataset


def insert_block(
    conn: psycopg.Connection, dataset: Doc, fields: dict[str, Any], username: str, version: str
) -> Doc:
    """Store a new block of ``dataset``; the dataset's size and file count follow, in the same
    statement (routes may take a :data:`StatementConnection`)."""
    return insert_with_dataset_totals(conn, new_origdatablock(dataset, fields, username, version), username)


def update_block(
    conn: psycopg.Connection, block: Doc, body: Any, if_unmodified_since: str | None, username: str
) -> Doc:
    """PATCH: any field but ``datasetId``, refused (412) if changed since the given date."""
    changes = validate(partial(dto.CreateOrigDatablock, frozenset({"datasetId"})), body)
    if modified_since(block, if_unmodified_since):
        raise precondition_failed()
    block.update(changes)
    ORIGDATABLOCKS.replace(conn, touch(block, username))
    recompute_dataset_totals(conn, block["datasetId"], username)
    return block
