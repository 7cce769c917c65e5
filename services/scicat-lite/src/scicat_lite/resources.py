"""Operations shared by several routes: loading with access checks, child documents."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from .auth import User
from .deps import AppContext
from .errors import forbidden, not_found
from .filters import Sql
from .history import HasSettings, record_update
from .store import Collection, Doc, DuplicateKey
from .timeutil import now_iso

DATASETS = Collection("datasets")
ORIGDATABLOCKS = Collection("origdatablocks")
ATTACHMENTS = Collection("attachments")
PROPOSALS = Collection("proposals")
SAMPLES = Collection("samples")
INSTRUMENTS = Collection("instruments")

RELATION_FIELDS = {"dataset": "datasetId", "proposal": "proposalId", "sample": "sampleId"}


def stamp(doc: Doc, username: str) -> Doc:
    now = now_iso()
    doc.update({"createdBy": username, "updatedBy": username, "createdAt": now, "updatedAt": now})
    return doc


def touch(doc: Doc, username: str) -> Doc:
    doc["updatedBy"] = username
    doc["updatedAt"] = now_iso()
    return doc


def update_tracked(
    ctx: HasSettings,
    conn: psycopg.Connection,
    collection: Collection,
    subsystem: str,
    doc: Doc,
    changes: dict[str, Any],
    username: str,
) -> Doc:
    """Apply ``changes`` to a stored document, stamp it and record the change in the history."""
    before = copy.deepcopy(doc)
    doc.update(changes)
    updated = collection.replace(conn, touch(doc, username))
    record_update(ctx, conn, subsystem, before, updated, username)
    return updated


def require_user(user: User | None) -> User:
    if user is None:
        raise forbidden()
    return user


def readable_dataset(
    ctx: AppContext, conn: psycopg.Connection, user: User | None, pid: str, *, as_dataset: bool = False
) -> Doc:
    """The dataset, or 404 if absent and 403 ``Unauthorized access`` if not visible.

    ``as_dataset``: the dataset itself is read (``DatasetRead``, which DatasetReadAny
    grants), not one of its children (attachments, datablocks: their own read rules)."""
    dataset = DATASETS.get(conn, pid)
    if dataset is None:
        raise not_found(f"dataset: {pid} not found")
    if not ctx.access.can_see(user, dataset, read_all=as_dataset and ctx.access.reads_any_dataset(user)):
        raise forbidden("Unauthorized access")
    return dataset


def writable_dataset(
    ctx: AppContext, conn: psycopg.Connection, user: User | None, pid: str, *, lock: bool = False
) -> Doc:
    """The dataset if ``user`` may change it (and its children)."""
    require_user(user)
    dataset = DATASETS.get(conn, pid, lock=lock)
    if dataset is None:
        raise not_found(f"dataset: {pid} not found")
    if not ctx.access.may_write_dataset(user, dataset):
        raise forbidden("Unauthorized to update this dataset")
    return dataset


def readable_proposal(
    ctx: AppContext, conn: psycopg.Connection, user: User | None, proposal_id: str
) -> Doc:
    """The proposal, or 404/403; proposal managers read every proposal."""
    proposal = PROPOSALS.get(conn, proposal_id)
    if proposal is None:
        raise not_found(f"Proposal with id {proposal_id} not found")
    if not ctx.access.can_see(user, proposal, read_all=ctx.access.proposal_manager(user)):
        raise forbidden("Unauthorized access")
    return proposal


def proposal_manager(ctx: AppContext, user: User | None) -> User:
    """The caller if they may create and change proposals (``PROPOSAL_GROUPS``)."""
    if user is None or not ctx.access.proposal_manager(user):
        raise forbidden()
    return user


def managed_proposal(
    ctx: AppContext, conn: psycopg.Connection, user: User | None, proposal_id: str
) -> tuple[User, Doc]:
    manager = proposal_manager(ctx, user)
    return manager, readable_proposal(ctx, conn, manager, proposal_id)


def readable_sample(
    ctx: AppContext, conn: psycopg.Connection, user: User | None, sample_id: str
) -> Doc:
    """The sample, or 404/403; privileged sample users read every sample."""
    sample = SAMPLES.get(conn, sample_id)
    if sample is None:
        raise not_found(f"Sample with id {sample_id} not found")
    if not ctx.access.can_see(user, sample, read_all=ctx.access.sample_privileged(user)):
        raise forbidden("Unauthorized access")
    return sample


def writable_sample(
    ctx: AppContext, conn: psycopg.Connection, user: User | None, sample_id: str
) -> tuple[User, Doc]:
    """The sample if ``user`` may change it (and its attachments)."""
    if user is None or not ctx.access.may_create_sample(user):
        raise forbidden()
    sample = readable_sample(ctx, conn, user, sample_id)
    if not ctx.access.may_write_sample(user, sample):
        raise forbidden("Unauthorized to update this sample")
    return user, sample


# -- origdatablocks -------------------------------------------------------------------


def new_origdatablock(dataset: Doc, fields: dict[str, Any], username: str, version: str) -> Doc:
    """An origdatablock inheriting the dataset's ownership, as the backend does."""
    doc: Doc = {
        "_id": str(uuid.uuid4()),
        "datasetId": dataset["pid"],
        "size": fields["size"],
        "dataFileList": fields["dataFileList"],
        "ownerGroup": dataset["ownerGroup"],
        "accessGroups": list(dataset.get("accessGroups") or []),
        "isPublished": fields.get("isPublished", False),
        "version": version,
    }
    if fields.get("chkAlg") is not None:
        doc["chkAlg"] = fields["chkAlg"]
    if dataset.get("instrumentGroup") is not None:
        doc["instrumentGroup"] = dataset["instrumentGroup"]
    return stamp(doc, username)


def add_to_dataset_totals(
    conn: psycopg.Connection, dataset: Doc, block: Doc, username: str
) -> None:
    """``POST /datasets/{pid}/origdatablocks``: the dataset's size and file count grow."""
    conn.execute(
        "UPDATE datasets SET doc = doc || jsonb_build_object("
        "'size', coalesce((doc->>'size')::numeric, 0) + %s, "
        "'numberOfFiles', coalesce((doc->>'numberOfFiles')::numeric, 0) + %s, "
        "'updatedBy', %s::text, 'updatedAt', %s::text) WHERE id = %s",
        (block["size"], len(block["dataFileList"]), username, now_iso(), dataset["pid"]),
    )


# The stored blocks' size and file count of the dataset named by the parameter.
_BLOCK_TOTALS = (
    "(SELECT coalesce(sum((doc->>'size')::numeric), 0) AS size, "
    "coalesce(sum(jsonb_array_length(doc->'dataFileList')), 0) AS files "
    "FROM origdatablocks WHERE dataset_id = %s)"
)


def recompute_dataset_totals(conn: psycopg.Connection, pid: str, username: str) -> None:
    """The origdatablock endpoints: size and file count are the sums over all blocks.

    One statement, so the dataset document never makes the round trip through Python.
    """
    conn.execute(
        "UPDATE datasets SET doc = datasets.doc || jsonb_build_object("
        "'size', totals.size, 'numberOfFiles', totals.files, "
        "'updatedBy', %s::text, 'updatedAt', %s::text) "
        f"FROM {_BLOCK_TOTALS} AS totals WHERE datasets.id = %s",
        (username, now_iso(), pid, pid),
    )


def insert_with_dataset_totals(conn: psycopg.Connection, block: Doc, username: str) -> Doc:
    """Insert a new origdatablock and set its dataset's totals over all its blocks, this one
    included, in one statement (atomic in autocommit). :class:`DuplicateKey` when its id is
    taken: then nothing changes."""
    row = conn.execute(
        "WITH block AS (INSERT INTO origdatablocks (id, doc) VALUES (%s, %s)"
        " ON CONFLICT DO NOTHING RETURNING doc), "
        "totals AS (UPDATE datasets SET doc = datasets.doc || jsonb_build_object("
        "'size', others.size + (block.doc->>'size')::numeric, "
        "'numberOfFiles', others.files + jsonb_array_length(block.doc->'dataFileList'), "
        "'updatedBy', %s::text, 'updatedAt', %s::text) "
        f"FROM block, {_BLOCK_TOTALS} AS others WHERE datasets.id = %s) "
        "SELECT count(*) AS inserted FROM block",
        (block["_id"], Jsonb(block), username, now_iso(), block["datasetId"], block["datasetId"]),
    ).fetchone()
    if not row or not row["inserted"]:
        raise DuplicateKey(str(block["_id"]))
    return block


def blocks_of(pid: str) -> Sql:
    return Sql("dataset_id = %s", (pid,))


# -- attachments ----------------------------------------------------------------------


def attachment_target(target_type: str, target_id: str) -> Sql:
    return ATTACHMENTS.containing(
        {"relationships": [{"targetType": target_type, "targetId": target_id}]}
    )


def new_attachment(
    fields: dict[str, Any], relationships: list[dict[str, Any]], username: str
) -> Doc:
    doc: Doc = {
        "aid": fields.get("aid") or fields.get("id") or str(uuid.uuid4()),
        "ownerGroup": fields["ownerGroup"],
        "accessGroups": fields.get("accessGroups") or [],
        "isPublished": fields.get("isPublished", False),
        "caption": fields["caption"],
        "relationships": relationships,
    }
    doc["_id"] = doc["aid"]
    for optional in ("thumbnail", "instrumentGroup"):
        if fields.get(optional) is not None:
            doc[optional] = fields[optional]
    return stamp(doc, username)


def attachment_v3(doc: Doc) -> Doc:
    """The v3 view: relationships folded into ``datasetId``/``proposalId``/``sampleId``.

    The backend's v3 view drops ``aid`` for ``id``; both are kept here because the
    SDK's ``Attachment`` model (which the v3 routes declare) requires ``aid``.
    """
    out = {k: v for k, v in doc.items() if k != "relationships"}
    for relation in doc.get("relationships") or []:
        field = RELATION_FIELDS.get(relation.get("targetType", ""))
        if field:
            out[field] = relation.get("targetId", "")
    out["id"] = doc["aid"]
    return out
