"""Datablocks (archived blocks of a dataset) and their bookkeeping on the dataset.

Adding a block adds its ``packedSize`` to the dataset's ``packedSize`` and its file count
to ``numberOfFilesArchived``; removing one subtracts them; the dataset sub-route PATCH
replaces the old block's share by the new one; deleting all of a dataset's blocks resets
both to 0 (``src/datablocks/datablocks.controller.ts`` and the dataset controller).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import psycopg
from pydantic import ValidationError

from . import dto
from .checks import field, problems
from .errors import bad_request, conflict
from .history import record_update
from .store import Collection, Doc, DuplicateKey
from .timeutil import now_iso
from .validation import messages

DATABLOCKS = Collection("datablocks")
DATASETS = Collection("datasets")
DUPLICATE = "A datablock with this this unique key already exists!"

BLOCK_FIELDS = (
    field("ownerGroup", "string", required=False, not_empty=True),
    field("accessGroups", required=False, each="string"),
    field("instrumentGroup", "string", required=False),
    field("archiveId", "string"),
    field("size", "integer"),
    field("packedSize", "integer"),
    field("chkAlg", "string", required=False, not_empty=True),
    field("version", "string"),
    field("dataFileList", "array"),
)
CREATE_FIELDS = (field("datasetId", "string"), *BLOCK_FIELDS)
DATASET_BLOCK_FIELDS = tuple(
    f for f in BLOCK_FIELDS if f.name not in ("ownerGroup", "accessGroups", "instrumentGroup")
)


def check_block(fields: tuple[Any, ...], body: Any, *, partial: bool = False) -> dict[str, Any]:
    """The DTO checks plus each data file's (``ValidateNested``) and a non-empty file list."""
    found = problems(fields, body, partial=partial)
    files = body.get("dataFileList") if isinstance(body, dict) else None
    if isinstance(files, list):
        if not files:
            found.append("dataFileList should not be empty")
        for index, item in enumerate(files):
            try:
                dto.DataFile.model_validate(item)
            except ValidationError as error:
                found.extend(f"dataFileList.{index}.{m}" for m in messages(error))
    if found:
        raise bad_request(found)
    return {k: v for k, v in body.items() if v is not None}


def new_block(fields: dict[str, Any], username: str) -> Doc:
    now = now_iso()
    doc: Doc = {"_id": str(uuid.uuid4()), "accessGroups": [], "isPublished": False, **fields}
    doc.update(
        {"createdBy": username, "updatedBy": username, "createdAt": now, "updatedAt": now, "__v": 0}
    )
    return doc


def insert_block(conn: psycopg.Connection, doc: Doc) -> Doc:
    try:
        return DATABLOCKS.insert(conn, doc)
    except DuplicateKey as error:
        raise conflict(DUPLICATE) from error


def shift_dataset_totals(
    ctx: Any,
    conn: psycopg.Connection,
    dataset: Doc,
    packed: float,
    files: int,
    username: str,
    *,
    reset: bool = False,
) -> None:
    """Move the dataset's packedSize/numberOfFilesArchived by a block's share (or reset them)."""
    before = copy.deepcopy(dataset)
    if reset:
        dataset["packedSize"], dataset["numberOfFilesArchived"] = 0, 0
    else:
        dataset["packedSize"] = (dataset.get("packedSize") or 0) + packed
        dataset["numberOfFilesArchived"] = (dataset.get("numberOfFilesArchived") or 0) + files
    dataset["updatedBy"], dataset["updatedAt"] = username, now_iso()
    DATASETS.replace(conn, dataset)
    record_update(ctx, conn, "Dataset", before, dataset, username)


def share(block: Doc) -> tuple[float, int]:
    return block.get("packedSize") or 0, len(block.get("dataFileList") or [])
