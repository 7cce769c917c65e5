"""Generic storage of JSON documents in the collection tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from .db import COLLECTIONS, UNINDEXED
from .filters import Sql, indexed_document

Doc = dict[str, Any]


INSERTION_ORDER = Sql("seq")


class DuplicateKey(Exception):
    """An insert hit an existing id or unique key."""


def project(doc: Mapping[str, Any], fields: Iterable[str] | None) -> Doc:
    """Keep only ``fields`` (top-level names or dotted paths) of ``doc``."""
    if fields is None:
        return dict(doc)
    result: Doc = {}
    for name in fields:
        head, _, rest = name.partition(".")
        if head not in doc:
            continue
        if rest and isinstance(doc[head], Mapping):
            nested = project(doc[head], [rest])
            if nested:
                result.setdefault(head, {}).update(nested)
        else:
            result[head] = doc[head]
    return result


class Collection:
    """One table of documents keyed by ``id_field``."""

    def __init__(self, table: str) -> None:
        if table not in COLLECTIONS:
            raise ValueError(f"unknown collection {table}")
        self.table = table
        self.id_field = COLLECTIONS[table]

    def containing(self, fields: Mapping[str, Any]) -> Sql:
        """Documents containing ``fields`` (``@>``), answered from the document index."""
        document = indexed_document(UNINDEXED.get(self.table, ()))
        return Sql(f"{document} @> %s::jsonb", (json.dumps(fields),))

    def insert(self, conn: psycopg.Connection, doc: Doc) -> Doc:
        """Insert ``doc``; :class:`DuplicateKey` when its id or another unique key is taken.

        ``ON CONFLICT DO NOTHING`` spares the savepoint a caught unique violation needs.
        """
        row = conn.execute(
            f"INSERT INTO {self.table} (id, doc) VALUES (%s, %s) ON CONFLICT DO NOTHING "
            "RETURNING seq",
            (doc[self.id_field], Jsonb(doc)),
        ).fetchone()
        if row is None:
            raise DuplicateKey(str(doc[self.id_field]))
        return doc

    def get(self, conn: psycopg.Connection, key: str, *, lock: bool = False) -> Doc | None:
        suffix = " FOR UPDATE" if lock else ""
        row = conn.execute(f"SELECT doc FROM {self.table} WHERE id = %s{suffix}", (key,)).fetchone()
        return row["doc"] if row else None

    def replace(self, conn: psycopg.Connection, doc: Doc) -> Doc:
        conn.execute(
            f"UPDATE {self.table} SET doc = %s WHERE id = %s", (Jsonb(doc), doc[self.id_field])
        )
        return doc

    def delete(self, conn: psycopg.Connection, key: str) -> Doc | None:
        row = conn.execute(
            f"DELETE FROM {self.table} WHERE id = %s RETURNING doc", (key,)
        ).fetchone()
        return row["doc"] if row else None

    def delete_where(self, conn: psycopg.Connection, where: Sql) -> int:
        cursor = conn.execute(f"DELETE FROM {self.table} WHERE {where.text}", where.params)
        return cursor.rowcount

    def find(
        self,
        conn: psycopg.Connection,
        where: Sql,
        *,
        order: Sql = INSERTION_ORDER,
        limit: int | None = None,
        skip: int = 0,
    ) -> list[Doc]:
        sql = f"SELECT doc FROM {self.table} WHERE {where.text} ORDER BY {order.text}"
        params = where.params + order.params
        if limit is not None:
            sql += " LIMIT %s"
            params += (limit,)
        if skip:
            sql += " OFFSET %s"
            params += (skip,)
        return [row["doc"] for row in conn.execute(sql, params)]

    def count(self, conn: psycopg.Connection, where: Sql) -> int:
        row = conn.execute(
            f"SELECT count(*) AS n FROM {self.table} WHERE {where.text}", where.params
        ).fetchone()
        return int(row["n"]) if row else 0
