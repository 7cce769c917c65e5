"""The schema's migration: derived columns kept by a trigger, on new and earlier volumes."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg.rows import dict_row
from scicat_lite.datasets import V3_POLICY
from scicat_lite.db import migrate
from scicat_lite.filters import Sql, WhereTranslator
from scicat_lite.resources import DATASETS, insert_with_dataset_totals
from scicat_lite.store import DuplicateKey

# The layout of earlier volumes: access and facet arrays and the full-text vector as
# generated columns (which a dump leaves out); samples from before the access arrays.
_EARLIER_LAYOUT = r"""
CREATE FUNCTION scicat_text_array(value jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(item), '{}') FROM jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(value) = 'array' THEN value ELSE '[]'::jsonb END) AS item
$$;
CREATE TABLE datasets (
  seq bigserial UNIQUE, id text PRIMARY KEY, doc jsonb NOT NULL,
  owner_group text GENERATED ALWAYS AS (doc->>'ownerGroup') STORED,
  access_groups text[] GENERATED ALWAYS AS (scicat_text_array(doc->'accessGroups')) STORED,
  shared_with text[] GENERATED ALWAYS AS (scicat_text_array(doc->'sharedWith')) STORED,
  is_published boolean GENERATED ALWAYS AS (coalesce(doc->'isPublished' = 'true', false)) STORED,
  search tsvector GENERATED ALWAYS AS (jsonb_to_tsvector('english'::regconfig, doc, '["string"]')) STORED,
  keywords text[] GENERATED ALWAYS AS (scicat_text_array(doc->'keywords')) STORED
);
CREATE TABLE samples (
  seq bigserial UNIQUE, id text PRIMARY KEY, doc jsonb NOT NULL,
  owner_group text GENERATED ALWAYS AS (doc->>'ownerGroup') STORED,
  is_published boolean GENERATED ALWAYS AS (coalesce(doc->'isPublished' = 'true', false)) STORED
);
"""

_DATASET = {"pid": "p/1", "ownerGroup": "g", "accessGroups": ["a", "b"], "keywords": ["lysozyme"],
            "sampleIds": ["s1"], "description": "crystals of lysozyme"}  # fmt: skip


def _generated(conn: psycopg.Connection, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = %s AND is_generated = 'ALWAYS'",
        (table,),
    ).fetchall()
    return {name for (name,) in rows}


def test_an_earlier_volume_keeps_its_values_and_its_new_rows_are_derived(
    fresh_database: str,
) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute(_EARLIER_LAYOUT)
        conn.execute("INSERT INTO datasets (id, doc) VALUES ('p/1', %s)", (json.dumps(_DATASET),))
        conn.execute("""INSERT INTO samples (id, doc) VALUES ('s1', '{"accessGroups": ["x"]}')""")

        migrate(conn)

        assert {"access_groups", "search", "keywords", "sample_ids"}.isdisjoint(
            _generated(conn, "datasets")
        )
        assert "owner_group" in _generated(conn, "datasets")  # cheap derivations stay generated
        kept = conn.execute(
            "SELECT access_groups, keywords, sample_ids, search @@ plainto_tsquery('english', 'lysozyme') FROM datasets"
        ).fetchone()
        assert kept == (["a", "b"], ["lysozyme"], ["s1"], True)  # sample_ids was new: filled in
        assert conn.execute("SELECT access_groups FROM samples").fetchone() == (["x"],)

        changed = {**_DATASET, "accessGroups": ["c"], "keywords": [], "description": "thaumatin"}
        conn.execute("UPDATE datasets SET doc = %s WHERE id = 'p/1'", (json.dumps(changed),))
        conn.execute(
            "INSERT INTO datasets (id, doc) VALUES ('p/2', %s)",
            (json.dumps({**_DATASET, "pid": "p/2"}),),
        )
        rows = conn.execute(
            "SELECT id, access_groups, keywords, search @@ plainto_tsquery('english', 'lysozyme') FROM datasets ORDER BY id"
        ).fetchall()
        assert rows == [("p/1", ["c"], [], False), ("p/2", ["a", "b"], ["lysozyme"], True)]

        migrate(conn)  # again, as on every start: nothing changes
        assert conn.execute(
            "SELECT count(*) FROM datasets WHERE access_groups IS NULL"
        ).fetchone() == (0,)


def test_a_new_volume_derives_every_column_and_compresses_documents_with_lz4(
    fresh_database: str,
) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        migrate(conn)
        conn.execute("INSERT INTO datasets (id, doc) VALUES ('p/1', %s)", (json.dumps(_DATASET),))
        row = conn.execute(
            "SELECT access_groups, shared_with, keywords, instrument_ids FROM datasets"
        ).fetchone()
        assert row == (["a", "b"], [], ["lysozyme"], [])
        assert _generated(conn, "datasets") == {
            "owner_group",
            "is_published",
            "creation_time",
            "dataset_type",
            "creation_location",
        }
        has_lz4 = conn.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).fetchone()
        compression = conn.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'datasets'::regclass AND attname = 'doc'"
        ).fetchone()
        assert compression == (("l",) if has_lz4 == (True,) else ("\x00",))


def test_metadata_key_events_pending_in_an_earlier_volume_are_folded_after_the_migration(
    fresh_database: str,
) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE metadata_key_events (event bigserial, source text NOT NULL, key text NOT NULL,"
            " human_name text NOT NULL, groups text[] NOT NULL, published boolean NOT NULL,"
            " delta integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
        conn.execute(
            "INSERT INTO metadata_key_events (source, key, human_name, groups, published, delta) VALUES"
            " ('Dataset', 'energy', 'Energy', '{g,h}', true, 1), ('Dataset', 'energy', 'Energy', '{g}', false, 1),"
            " ('Dataset', 'flux', '', '{g}', false, 1), ('Dataset', 'flux', '', '{g}', false, -1)"
        )
        migrate(conn)
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'metadata_key_events'"
        ).fetchall()
        assert {("keys",), ("human_names",)} <= set(columns) and (
            "key",
        ) not in columns  # a row per change now
        conn.execute("SELECT scicat_fold_metadata_keys()")
        rows = conn.execute(
            "SELECT doc->>'key', doc->>'humanReadableName', doc->'usageCount', doc->'userGroupCounts', doc->'isPublished'"
            " FROM metadata_keys ORDER BY 1"
        ).fetchall()
        assert rows == [("energy", "Energy", 2, {"g": 2, "h": 1}, True)]


_DOCUMENT_INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%\\_doc\\_gin'"
_INDEX_OIDS = "SELECT relname, oid FROM pg_class WHERE relname LIKE '%\\_doc\\_gin' ORDER BY 1"


def _plan(conn: psycopg.Connection, where: Sql) -> str:
    conn.execute("SET enable_seqscan = off")
    rows = conn.execute(f"EXPLAIN SELECT doc FROM datasets WHERE {where.text}", where.params).fetchall()
    return "\n".join(line for (line,) in rows)


def test_the_document_index_leaves_out_scientific_metadata_and_equality_still_finds_it(
    fresh_database: str,
) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        conn.execute(_EARLIER_LAYOUT)
        conn.execute("CREATE INDEX datasets_doc_gin ON datasets USING gin (doc jsonb_path_ops)")
        measured = {**_DATASET, "scientificMetadata": {"energy": {"value": 12.4, "unit": "keV"}}}
        conn.execute("INSERT INTO datasets (id, doc) VALUES ('p/1', %s)", (json.dumps(measured),))

        migrate(conn)  # the earlier volume's index over the whole document is built again

        definitions = dict(conn.execute(_DOCUMENT_INDEXES).fetchall())
        assert "gin (((doc - '{scientificMetadata}'::text[])) jsonb_path_ops)" in definitions["datasets_doc_gin"]
        assert "gin (((doc - '{before,after}'::text[])) jsonb_path_ops)" in definitions["history_doc_gin"]
        assert "gin (doc jsonb_path_ops)" in definitions["samples_doc_gin"]

        where = WhereTranslator(V3_POLICY)
        by_group = where.translate({"ownerGroup": "g"})
        assert "datasets_doc_gin" in _plan(conn, by_group)
        by_ids = where.translate({"sampleIds": {"inq": ["s1", "s9"]}})
        assert "datasets_doc_gin" in _plan(conn, by_ids)
        by_energy = where.translate({"scientificMetadata.energy.value": 12.4})
        for condition in (by_group, by_ids, by_energy, DATASETS.containing({"sampleIds": ["s1"]})):
            found = conn.execute(f"SELECT id FROM datasets WHERE {condition.text}", condition.params)
            assert found.fetchall() == [("p/1",)]
        missing = where.translate({"scientificMetadata.energy.value": 9})
        assert conn.execute(f"SELECT id FROM datasets WHERE {missing.text}", missing.params).fetchall() == []

        built = conn.execute(_INDEX_OIDS).fetchall()
        migrate(conn)  # up to date: no index is built again
        assert conn.execute(_INDEX_OIDS).fetchall() == built


def test_an_update_outside_the_text_part_keeps_the_derived_columns_and_dates_are_no_text(
    fresh_database: str,
) -> None:
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        migrate(conn)
        dated = {**_DATASET, "createdAt": "2031-05-06T07:08:09.000Z", "size": 1,
                 "datasetlifecycle": {"archivable": True, "publishedOn": "2031-05-06T07:08:09.000Z"}}  # fmt: skip
        conn.execute("INSERT INTO datasets (id, doc) VALUES ('p/1', %s)", (json.dumps(dated),))
        matches = "SELECT search @@ plainto_tsquery('english', %s) FROM datasets"
        assert conn.execute(matches, ("2031",)).fetchone() == (False,)  # MongoDB keeps dates as dates
        assert conn.execute(matches, ("lysozyme",)).fetchone() == (True,)

        conn.execute("ALTER TABLE datasets DISABLE TRIGGER datasets_derived")
        conn.execute("UPDATE datasets SET search = 'marker'::tsvector, keywords = '{marker}'")
        conn.execute("ALTER TABLE datasets ENABLE TRIGGER datasets_derived")
        conn.execute(
            "UPDATE datasets SET doc = doc || '{\"size\": 42, \"numberOfFiles\": 3,"
            " \"updatedAt\": \"2032-01-01T00:00:00.000Z\"}'"
        )
        derived = "SELECT search::text, keywords, doc->'size' FROM datasets"
        assert conn.execute(derived).fetchone() == ("'marker'", ["marker"], 42)  # not derived again
        conn.execute("""UPDATE datasets SET doc = jsonb_set(doc, '{datasetlifecycle,publishedOn}', '"2033-01-01T00:00:00.000Z"')""")
        assert conn.execute(derived).fetchone() == ("'marker'", ["marker"], 42)  # a lifecycle date is no text

        conn.execute("UPDATE datasets SET keywords = NULL")  # as a column new to an earlier volume
        conn.execute("UPDATE datasets SET doc = doc")
        assert conn.execute("SELECT keywords FROM datasets").fetchone() == (["lysozyme"],)

        conn.execute("UPDATE datasets SET doc = doc || '{\"updatedBy\": \"ingestor\"}'")
        assert conn.execute(matches, ("ingestor",)).fetchone() == (True,)  # the text part changed
        assert conn.execute(matches, ("marker",)).fetchone() == (False,)
        conn.execute("""UPDATE datasets SET doc = jsonb_set(doc, '{datasetlifecycle,archiveStatusMessage}', '"quarantined"')""")
        assert conn.execute(matches, ("quarantined",)).fetchone() == (True,)  # the lifecycle's text is text


def test_a_block_whose_id_is_taken_changes_nothing(fresh_database: str) -> None:
    with psycopg.connect(fresh_database, autocommit=True, row_factory=dict_row) as conn:
        migrate(conn)
        conn.execute("INSERT INTO datasets (id, doc) VALUES ('p/1', %s)", (json.dumps({**_DATASET, "size": 0}),))
        block = {"_id": "b1", "datasetId": "p/1", "size": 5, "dataFileList": [{"path": "a"}, {"path": "b"}]}
        insert_with_dataset_totals(conn, block, "ingestor")
        totals = "SELECT doc->'size' AS size, doc->'numberOfFiles' AS files FROM datasets"
        assert conn.execute(totals).fetchone() == {"size": 5, "files": 2}

        with pytest.raises(DuplicateKey):
            insert_with_dataset_totals(conn, {**block, "size": 7}, "ingestor")
        assert conn.execute(totals).fetchone() == {"size": 5, "files": 2}
        assert conn.execute("SELECT count(*) AS n FROM origdatablocks").fetchone() == {"n": 1}
