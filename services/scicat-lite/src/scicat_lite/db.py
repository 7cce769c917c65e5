"""The PostgreSQL schema: one JSONB document table per collection, created idempotently."""

from __future__ import annotations

import psycopg
from psycopg.rows import tuple_row

from .derived_schema import DERIVE_FUNCTIONS, install_derived_columns
from .filters.sql import indexed_document
from .metadata_keys_schema import install_metadata_keys

# Each collection is a table of JSONB documents keyed by the collection's id field.
# The access fields are columns of their own so that visibility filters use plain indexes.
COLLECTIONS: dict[str, str] = {
    "datasets": "pid",
    "origdatablocks": "_id",
    "attachments": "aid",
    "proposals": "proposalId",
    "samples": "sampleId",
    "instruments": "pid",
    "jobs": "id",
    "published_data": "doi",
    "policies": "_id",
    "datablocks": "_id",
    "history": "_id",
    # Users and their logins (upstream's User, UserIdentity, UserSetting).
    "users": "_id",
    "user_identities": "_id",
    "user_settings": "_id",
    # Served configuration; the metadata-key index (see metadata_keys_schema).
    "runtime_configs": "cid",
    "metadata_keys": "_id",
}

# Free-form subtrees that each collection's document index leaves out. Equality on any other
# field is answered from the index; on these, by reading the rows. Scientific metadata is 65 %
# of a dataset's bytes (`large`), a history entry holds two whole documents: indexed, they cost
# ~0.3 ms of every dataset write, and their index builds were 38 s of restoring `large`'s 96 s
# of CPU.
UNINDEXED: dict[str, tuple[str, ...]] = {
    "datasets": ("scientificMetadata",),
    "history": ("before", "after"),
}

_FUNCTIONS = r"""
-- PL/pgSQL, not SQL: a SQL function with a FROM is not inlined, and each single-row INSERT
-- parsed and planned it again for every derived column that calls it.
CREATE OR REPLACE FUNCTION scicat_text_array(value jsonb) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF value IS NULL OR jsonb_typeof(value) <> 'array' THEN
    RETURN '{}';
  END IF;
  RETURN ARRAY(SELECT jsonb_array_elements_text(value));
END $$;

-- Timestamps are stored as normalised UTC ISO-8601 strings ending in "Z"; parsing such
-- a string does not depend on the session time zone, which makes this safe to index.
CREATE OR REPLACE FUNCTION scicat_timestamp(value text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN value ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$'
              THEN value::timestamptz END
$$;
"""

_TABLE = """
CREATE TABLE IF NOT EXISTS {table} (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  doc jsonb NOT NULL,
  owner_group text GENERATED ALWAYS AS (doc->>'ownerGroup') STORED,
  is_published boolean GENERATED ALWAYS AS (coalesce(doc->'isPublished' = 'true', false)) STORED
);
"""

_TABLE_INDEXES = """
CREATE INDEX IF NOT EXISTS {table}_doc_gin ON {table} USING gin ({document} jsonb_path_ops);
CREATE INDEX IF NOT EXISTS {table}_owner_group ON {table} (owner_group);
CREATE INDEX IF NOT EXISTS {table}_access_groups ON {table} USING gin (access_groups);
CREATE INDEX IF NOT EXISTS {table}_shared_with ON {table} USING gin (shared_with);
CREATE INDEX IF NOT EXISTS {table}_published ON {table} (seq) WHERE is_published;
"""

_DATASET_EXTRAS = """
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS creation_time timestamptz
  GENERATED ALWAYS AS (scicat_timestamp(doc->>'creationTime')) STORED;
-- Plain copies of the fields the frontend facets on by default, so facets need no JSON parsing.
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS dataset_type text
  GENERATED ALWAYS AS (doc->>'type') STORED;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS creation_location text
  GENERATED ALWAYS AS (doc->>'creationLocation') STORED;
CREATE INDEX IF NOT EXISTS datasets_creation_time ON datasets (creation_time);
-- Covers every facet column, so fullfacet reads this index instead of the wide rows.
CREATE INDEX IF NOT EXISTS datasets_facets ON datasets (is_published, owner_group)
  INCLUDE (dataset_type, creation_location, keywords, instrument_ids, proposal_ids, sample_ids,
           creation_time, access_groups);
CREATE INDEX IF NOT EXISTS datasets_search ON datasets USING gin (search);
ALTER TABLE origdatablocks ADD COLUMN IF NOT EXISTS dataset_id text
  GENERATED ALWAYS AS (doc->>'datasetId') STORED;
CREATE INDEX IF NOT EXISTS origdatablocks_dataset_id ON origdatablocks (dataset_id);
CREATE UNIQUE INDEX IF NOT EXISTS instruments_unique_name ON instruments ((doc->>'uniqueName'));
"""

# Jobs, published data, policies, datablocks and history (see their modules).
_FEATURE_EXTRAS = """
CREATE UNIQUE INDEX IF NOT EXISTS datablocks_archive_id ON datablocks ((doc->>'archiveId'))
  WHERE doc->>'archiveId' IS NOT NULL;
CREATE INDEX IF NOT EXISTS datablocks_dataset_id ON datablocks ((doc->>'datasetId'));
CREATE INDEX IF NOT EXISTS policies_owner_group_doc ON policies ((doc->>'ownerGroup'));
CREATE INDEX IF NOT EXISTS history_document ON history
  ((doc->>'subsystem'), (doc->>'documentId'));
CREATE INDEX IF NOT EXISTS jobs_type ON jobs ((doc->>'type'));
"""

_USER_EXTRAS = """
CREATE INDEX IF NOT EXISTS users_username ON users ((doc->>'username'));
CREATE INDEX IF NOT EXISTS users_email ON users ((doc->>'email'));
CREATE INDEX IF NOT EXISTS user_identities_user_id ON user_identities ((doc->>'userId'));
CREATE INDEX IF NOT EXISTS user_settings_user_id ON user_settings ((doc->>'userId'));
-- Upstream's Role + UserRole: the functional accounts' roles, part of every token's groups.
CREATE TABLE IF NOT EXISTS user_roles (
  user_id text NOT NULL,
  role text NOT NULL,
  PRIMARY KEY (user_id, role)
);
"""

# Serialises concurrent migrations from several replicas or test workers.
_MIGRATION_LOCK = 7_171_717


def migrate(conn: psycopg.Connection) -> None:
    """Create or complete the schema; safe to run on every start."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(_FUNCTIONS)
        conn.execute(DERIVE_FUNCTIONS)
        for table in COLLECTIONS:
            conn.execute(_TABLE.format(table=table))
        install_derived_columns(conn, COLLECTIONS)
        _drop_stale_document_indexes(conn)
        for table in COLLECTIONS:
            document = indexed_document(UNINDEXED.get(table, ()))
            conn.execute(_TABLE_INDEXES.format(table=table, document=document))
        conn.execute(_DATASET_EXTRAS)
        conn.execute(_FEATURE_EXTRAS)
        conn.execute(_USER_EXTRAS)
        install_metadata_keys(conn)


def _drop_stale_document_indexes(conn: psycopg.Connection) -> None:
    """An earlier volume's document index over other fields is built again."""
    rows = conn.cursor(row_factory=tuple_row).execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND indexname = tablename || '_doc_gin'"
    )
    for table, index, definition in rows.fetchall():
        wanted = f"USING gin ({indexed_document(UNINDEXED.get(table, ()))} jsonb_path_ops)"
        if not _bare(definition).endswith(_bare(wanted)):
            conn.execute(f"DROP INDEX {index}")


def _bare(sql: str) -> str:
    """SQL without the spaces and parentheses PostgreSQL adds when it prints an index."""
    return sql.translate(str.maketrans("", "", "() "))
