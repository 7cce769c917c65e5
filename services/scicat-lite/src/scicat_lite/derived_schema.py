"""Columns derived from a document that cost real work, kept by a trigger; TOAST compression.

The access arrays of every collection, and a dataset's full-text vector and facet arrays,
are plain columns that a ``BEFORE INSERT OR UPDATE`` trigger fills from ``doc``. As
generated columns (which earlier volumes have) PostgreSQL leaves them out of a dump and
computes them again for every row it restores: a third of restoring a large catalogue.
Cheap derivations (one ``->>``) stay generated columns in :mod:`.db`.

Documents are compressed with lz4 where the server has it: pglz took a sixth of a
dataset's restore, and every read of a large document decompresses it.
"""

from __future__ import annotations

import psycopg
from psycopg.rows import tuple_row

_ACCESS = {
    "access_groups": ("text[]", "scicat_text_array(NEW.doc->'accessGroups')"),
    "shared_with": ("text[]", "scicat_text_array(NEW.doc->'sharedWith')"),
}
# The full-text vector mirrors upstream's `$**` text index on datasets (every string).
_DATASET = {
    **_ACCESS,
    "search": ("tsvector", """jsonb_to_tsvector('english'::regconfig, NEW.doc, '["string"]')"""),
    "keywords": ("text[]", "scicat_text_array(NEW.doc->'keywords')"),
    "instrument_ids": ("text[]", "scicat_text_array(NEW.doc->'instrumentIds')"),
    "proposal_ids": ("text[]", "scicat_text_array(NEW.doc->'proposalIds')"),
    "sample_ids": ("text[]", "scicat_text_array(NEW.doc->'sampleIds')"),
}
DERIVED: dict[str, dict[str, tuple[str, str]]] = {"datasets": _DATASET}


def derived_columns(table: str) -> dict[str, tuple[str, str]]:
    """column → (SQL type, expression over ``NEW.doc``) for one collection's table."""
    return DERIVED.get(table, _ACCESS)


def _function(table: str) -> str:
    return "scicat_derive_dataset" if table in DERIVED else "scicat_derive_access"


def _function_sql(table: str) -> str:
    assignments = "\n".join(
        f"  NEW.{column} := {expression};"
        for column, (_, expression) in derived_columns(table).items()
    )
    return f"""
CREATE OR REPLACE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{assignments}
  RETURN NEW;
END $$;
"""


DERIVE_FUNCTIONS = _function_sql("datasets") + _function_sql("")


def install_derived_columns(conn: psycopg.Connection, table: str) -> None:
    """Add the table's derived columns, turn generated ones into plain ones, fill any new one.

    Needs :data:`DERIVE_FUNCTIONS` installed."""
    kinds: dict[str, str] = dict(
        conn.cursor(row_factory=tuple_row)
        .execute(
            "SELECT column_name, is_generated FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        )
        .fetchall()
    )
    added = False
    for column, (sql_type, _) in derived_columns(table).items():
        if column not in kinds:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
            added = True
        elif kinds[column] == "ALWAYS":  # an earlier volume: its values stay, as plain values
            conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP EXPRESSION")
    conn.execute(
        f"CREATE OR REPLACE TRIGGER {table}_derived BEFORE INSERT OR UPDATE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
    )
    if added:
        conn.execute(f"UPDATE {table} SET doc = doc")


def compress_documents(conn: psycopg.Connection, table: str) -> None:
    """Compress the table's new documents (and full-text vectors) with lz4 when the server has it."""
    columns = ["doc", "search"] if table in DERIVED else ["doc"]
    pending = (
        conn.cursor(row_factory=tuple_row)
        .execute(
            "SELECT a.attname FROM pg_settings s, pg_attribute a"
            " WHERE s.name = 'default_toast_compression' AND 'lz4' = ANY(s.enumvals)"
            " AND a.attrelid = to_regclass(%s) AND a.attname = ANY(%s) AND a.attcompression <> 'l'",
            (table, columns),
        )
        .fetchall()
    )
    for (column,) in pending:
        conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")
