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

from collections.abc import Iterable

import psycopg
from psycopg.rows import tuple_row

_ACCESS = {
    "access_groups": ("text[]", "scicat_text_array(NEW.doc->'accessGroups')"),
    "shared_with": ("text[]", "scicat_text_array(NEW.doc->'sharedWith')"),
}
# The full-text vector mirrors upstream's `$**` text index on datasets: every string, which
# leaves out the fields MongoDB stores as dates (scicat_dataset_text).
_DATASET = {
    **_ACCESS,
    "search": (
        "tsvector",
        """jsonb_to_tsvector('english'::regconfig, scicat_dataset_text(NEW.doc), '["string"]')""",
    ),
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
    columns = derived_columns(table)
    assignments = "\n".join(f"  NEW.{column} := {expression};" for column, (_, expression) in columns.items())
    unchanged = ""
    if table in DERIVED:
        # Every derived column reads only the dataset's text part: an update that leaves it
        # alone (an origdatablock's new size and file count, say) keeps them, so the full-text
        # vector, a third of a dataset write, is not computed again. Columns never filled (a
        # column added to an earlier volume) are filled.
        filled = " AND ".join(f"OLD.{column} IS NOT NULL" for column in columns)
        unchanged = (f"  IF TG_OP = 'UPDATE' AND {filled}\n"
                     "     AND scicat_same_dataset_text(NEW.doc, OLD.doc) THEN\n"
                     "    RETURN NEW;\n  END IF;\n")  # fmt: skip
    return f"""
CREATE OR REPLACE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{unchanged}{assignments}
  RETURN NEW;
END $$;
"""


# The part of a dataset its derived columns read: without the fields MongoDB stores as dates
# (no text there, upstream) and the counters that origdatablocks and datablocks move.
# Deleting the lifecycle's dates key by key with `#-` rebuilt the whole document each time:
# comparing two versions that way cost 0.4 ms, half of an origdatablock's dataset update.
_TOP_LEVEL_UNTEXTED = "createdAt,updatedAt,creationTime,startTime,endTime,size,packedSize,numberOfFiles,numberOfFilesArchived"
_LIFECYCLE_DATES = "dateOfDiskPurging,archiveRetentionTime,dateOfPublishing,publishedOn"
_DATASET_TEXT = f"""
CREATE OR REPLACE FUNCTION scicat_lifecycle_text(lifecycle jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(lifecycle) = 'object'
    THEN lifecycle - '{{{_LIFECYCLE_DATES}}}'::text[] ELSE lifecycle END
$$;
CREATE OR REPLACE FUNCTION scicat_dataset_text(doc jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(doc->'datasetlifecycle') = 'object'
    THEN (doc - '{{{_TOP_LEVEL_UNTEXTED}}}'::text[])
      || jsonb_build_object('datasetlifecycle', scicat_lifecycle_text(doc->'datasetlifecycle'))
    ELSE doc - '{{{_TOP_LEVEL_UNTEXTED}}}'::text[] END
$$;
CREATE OR REPLACE FUNCTION scicat_same_dataset_text(a jsonb, b jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (a - '{{{_TOP_LEVEL_UNTEXTED},datasetlifecycle}}'::text[])
       = (b - '{{{_TOP_LEVEL_UNTEXTED},datasetlifecycle}}'::text[])
    AND scicat_lifecycle_text(a->'datasetlifecycle') IS NOT DISTINCT FROM scicat_lifecycle_text(b->'datasetlifecycle')
$$;
"""

DERIVE_FUNCTIONS = _DATASET_TEXT + _function_sql("datasets") + _function_sql("")


def install_derived_columns(conn: psycopg.Connection, tables: Iterable[str]) -> None:
    """For each (existing) table: add its derived columns, turn generated ones into plain ones,
    fill any new one, keep them by trigger, and compress documents with lz4.

    The catalogue is read once for all tables, so a start on an up-to-date volume runs no DDL.
    Needs :data:`DERIVE_FUNCTIONS` installed."""
    tables = list(tables)
    cursor = conn.cursor(row_factory=tuple_row)
    columns: dict[str, dict[str, tuple[str, str]]] = {table: {} for table in tables}
    for table, column, generated, compression in cursor.execute(
        "SELECT c.relname, a.attname, a.attgenerated::text, a.attcompression::text"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)"
        " AND a.attnum > 0 AND NOT a.attisdropped",
        (tables,),
    ).fetchall():
        columns[table][column] = (generated, compression)
    triggers: dict[str, str] = dict(
        cursor.execute(
            "SELECT c.relname, p.proname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgname = c.relname || '_derived'"
        ).fetchall()
    )
    lz4 = cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).fetchone() == (True,)
    for table in tables:
        _install(conn, table, columns[table], triggers.get(table), lz4=lz4)


def _install(
    conn: psycopg.Connection, table: str, existing: dict[str, tuple[str, str]], trigger: str | None, *, lz4: bool
) -> None:
    added = False
    for column, (sql_type, _) in derived_columns(table).items():
        if column not in existing:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
            added = True
        elif existing[column][0] == "s":  # an earlier volume's generated column: its values stay
            conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP EXPRESSION")
    if trigger != _function(table):
        conn.execute(
            f"CREATE OR REPLACE TRIGGER {table}_derived BEFORE INSERT OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
        )
    if added:
        conn.execute(f"UPDATE {table} SET doc = doc")
    compressed = ["doc", "search"] if table in DERIVED else ["doc"]
    for column in compressed:
        if lz4 and existing.get(column, ("", ""))[1] != "l":  # a column added above is new too
            conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION lz4")
