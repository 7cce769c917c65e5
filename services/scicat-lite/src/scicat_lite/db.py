"""PostgreSQL access: the connection pool, start-up waiting and the idempotent schema."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

# Each collection is a table of JSONB documents keyed by the collection's id field.
# The access fields are generated columns so that visibility filters use plain indexes.
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
}

_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION scicat_text_array(value jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(item), '{}')
  FROM jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(value) = 'array' THEN value ELSE '[]'::jsonb END) AS item
$$;

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
  access_groups text[] GENERATED ALWAYS AS (scicat_text_array(doc->'accessGroups')) STORED,
  shared_with text[] GENERATED ALWAYS AS (scicat_text_array(doc->'sharedWith')) STORED,
  is_published boolean GENERATED ALWAYS AS (coalesce(doc->'isPublished' = 'true', false)) STORED
);
CREATE INDEX IF NOT EXISTS {table}_doc_gin ON {table} USING gin (doc jsonb_path_ops);
CREATE INDEX IF NOT EXISTS {table}_owner_group ON {table} (owner_group);
CREATE INDEX IF NOT EXISTS {table}_access_groups ON {table} USING gin (access_groups);
CREATE INDEX IF NOT EXISTS {table}_shared_with ON {table} USING gin (shared_with);
CREATE INDEX IF NOT EXISTS {table}_published ON {table} (seq) WHERE is_published;
"""

_DATASET_EXTRAS = """
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS creation_time timestamptz
  GENERATED ALWAYS AS (scicat_timestamp(doc->>'creationTime')) STORED;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS search tsvector
  GENERATED ALWAYS AS (jsonb_to_tsvector('english'::regconfig, doc, '["string"]')) STORED;
-- Plain copies of the fields the frontend facets on by default, so facets need no JSON parsing.
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS dataset_type text
  GENERATED ALWAYS AS (doc->>'type') STORED;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS creation_location text
  GENERATED ALWAYS AS (doc->>'creationLocation') STORED;
ALTER TABLE datasets ADD COLUMN IF NOT EXISTS keywords text[]
  GENERATED ALWAYS AS (scicat_text_array(doc->'keywords')) STORED;
CREATE INDEX IF NOT EXISTS datasets_creation_time ON datasets (creation_time);
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

# Serialises concurrent migrations from several replicas or test workers.
_MIGRATION_LOCK = 7_171_717


def migrate(conn: psycopg.Connection) -> None:
    """Create or complete the schema; safe to run on every start."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(_FUNCTIONS)
        for table in COLLECTIONS:
            conn.execute(_TABLE.format(table=table))
        conn.execute(_DATASET_EXTRAS)
        conn.execute(_FEATURE_EXTRAS)


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL did not answer within the start-up wait."""


def wait_for_database(url: str, timeout: float) -> None:
    """Retry connecting until the server answers or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    delay = 0.25
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as error:
            if time.monotonic() >= deadline:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else error
                raise DatabaseUnavailable(
                    f"PostgreSQL not reachable after {timeout:.0f}s "
                    f"(DATABASE_WAIT_SECONDS): {reason}"
                ) from error
            log.info("waiting for PostgreSQL: %s", str(error).strip().splitlines()[0])
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


class Database:
    """A pool of connections handing out dict rows."""

    def __init__(self, url: str, size: int) -> None:
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"row_factory": dict_row, "autocommit": False},
            open=False,
        )

    def open(self) -> None:
        self._pool.open(wait=True)
        with self._pool.connection() as conn:
            migrate(conn)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A connection inside a transaction, committed on success."""
        with self._pool.connection() as conn:
            yield conn

    def healthy(self) -> bool:
        try:
            with self._pool.connection(timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:  # includes the pool's PoolTimeout
            return False
