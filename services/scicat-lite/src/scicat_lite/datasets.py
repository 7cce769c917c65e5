"""Dataset documents: defaults, the v3 ↔ v4 field mapping and update rules."""

from __future__ import annotations

import copy
import uuid
from email.utils import parsedate_to_datetime
from typing import Any

from . import dto
from .db import UNINDEXED
from .filters import FieldPolicy
from .timeutil import format_iso, now_iso, parse_iso
from .units import add_si_fields

Doc = dict[str, Any]

SYSTEM_FIELDS = frozenset(
    {"pid", "_id", "createdBy", "updatedBy", "createdAt", "updatedAt", "version", "history"}
)
DATASET_FIELDS = frozenset(dto.CreateDatasetV4.model_fields) | SYSTEM_FIELDS

ARRAY_DEFAULTS = (
    "accessGroups",
    "keywords",
    "sharedWith",
    "techniques",
    "relationships",
    "principalInvestigators",
    "proposalIds",
    "sampleIds",
    "instrumentIds",
    "inputDatasets",
    "usedSoftware",
)
NUMBER_DEFAULTS = ("size", "packedSize", "numberOfFiles", "numberOfFilesArchived")

# v3 (loopback era) names → stored v4 names.
V3_RENAMES = {
    "proposalId": "proposalIds",
    "sampleId": "sampleIds",
    "instrumentId": "instrumentIds",
    "principalInvestigator": "principalInvestigators",
    "investigator": "principalInvestigators",
}

_TIMESTAMPS = {"creationTime": "creation_time"}
# The fields the upstream frontend facets on have columns of their own (see db.py).
_FACETS = {
    "type": "dataset_type",
    "creationLocation": "creation_location",
    "ownerGroup": "owner_group",
    "keywords": "keywords",
    "accessGroups": "access_groups",
    "instrumentIds": "instrument_ids",
    "proposalIds": "proposal_ids",
    "sampleIds": "sample_ids",
}
_ARRAY_COLUMNS = frozenset(
    {"keywords", "access_groups", "instrument_ids", "proposal_ids", "sample_ids"}
)
ARRAY_FIELDS = frozenset(ARRAY_DEFAULTS) | {"history"}
V3_POLICY = FieldPolicy(
    renames={**V3_RENAMES, "_id": "pid"},
    timestamp_columns=_TIMESTAMPS,
    facet_columns=_FACETS,
    array_columns=_ARRAY_COLUMNS,
    array_fields=ARRAY_FIELDS,
    unindexed=UNINDEXED["datasets"],
    known_fields=DATASET_FIELDS,
)
V4_POLICY = FieldPolicy(
    roots=DATASET_FIELDS,
    renames={"_id": "pid"},
    timestamp_columns=_TIMESTAMPS,
    facet_columns=_FACETS,
    array_columns=_ARRAY_COLUMNS,
    array_fields=ARRAY_FIELDS,
    unindexed=UNINDEXED["datasets"],
)


def lifecycle_defaults() -> Doc:
    now = now_iso()
    return {
        "archivable": True,
        "retrievable": False,
        "publishable": False,
        "dateOfDiskPurging": now,
        "archiveRetentionTime": now,
        "dateOfPublishing": now,
        "publishedOn": now,
        "isOnCentralDisk": True,
        "archiveStatusMessage": "datasetCreated",
        "retrieveStatusMessage": "",
        "archiveReturnMessage": {},
        "retrieveReturnMessage": {},
        "retrieveIntegrityCheck": False,
    }


def new_pid(prefix: str) -> str:
    return f"{prefix}/{uuid.uuid4()}"


def v3_to_v4_changes(body: Doc) -> Doc:
    """Map validated v3 fields onto stored (v4) field names."""
    doc = {k: v for k, v in body.items() if k not in V3_RENAMES and k != "version"}
    for old, new in V3_RENAMES.items():
        if body.get(old) is not None:
            doc[new] = [body[old]]
    return doc


def v3_to_v4(body: Doc) -> Doc:
    """A v3 create body in stored form; ``datasetName`` defaults from ``sourceFolder``."""
    doc = v3_to_v4_changes(body)
    if not doc.get("datasetName") and doc.get("sourceFolder"):
        doc["datasetName"] = "/".join(doc["sourceFolder"].rstrip("/").split("/")[-2:])
    return doc


def to_v3(doc: Doc) -> Doc:
    """The v3 output: the stored document plus the singular legacy fields."""
    out = dict(doc)
    for old, new in V3_RENAMES.items():
        values = doc.get(new) or []
        if values and (old != "investigator" or doc.get("type") == "derived"):
            out[old] = values[0]
    return out


def _prepare(fields: Doc) -> Doc:
    doc = dict(fields)
    if isinstance(doc.get("sourceFolder"), str) and len(doc["sourceFolder"]) > 1:
        doc["sourceFolder"] = doc["sourceFolder"].rstrip("/") or "/"
    if "scientificMetadata" in doc:
        doc["scientificMetadata"] = add_si_fields(doc["scientificMetadata"] or {})
    return doc


def create(fields: Doc, *, username: str, pid_prefix: str, version: str) -> Doc:
    """A complete new document from validated (v4-named) fields."""
    now = now_iso()
    doc: Doc = {name: [] for name in ARRAY_DEFAULTS}
    doc.update({name: 0 for name in NUMBER_DEFAULTS})
    doc.update({"isPublished": False, "scientificMetadata": {}})
    doc.update(_prepare(fields))
    doc["datasetlifecycle"] = {**lifecycle_defaults(), **(fields.get("datasetlifecycle") or {})}
    doc["pid"] = fields.get("pid") or new_pid(pid_prefix)
    doc["_id"] = doc["pid"]
    doc.update({"createdBy": username, "updatedBy": username, "createdAt": now, "updatedAt": now})
    doc["version"] = version
    return doc


def patch(current: Doc, changes: Doc, *, username: str) -> Doc:
    """Apply top-level changes (the backend's ``$set``)."""
    doc = copy.deepcopy(current)
    prepared = _prepare(changes)
    if "datasetlifecycle" in prepared:
        prepared["datasetlifecycle"] = {
            **doc.get("datasetlifecycle", {}),
            **prepared["datasetlifecycle"],
        }
    doc.update(prepared)
    doc["updatedBy"] = username
    doc["updatedAt"] = now_iso()
    return doc


def replace(current: Doc, fields: Doc, *, username: str, version: str) -> Doc:
    """PUT: the new fields, keeping identity and creation data; omitted optional fields go."""
    doc = create(fields, username=username, pid_prefix="", version=version)
    for kept in ("pid", "_id", "createdBy", "createdAt"):
        doc[kept] = current[kept]
    return doc


def merge_patch(target: Any, patch_doc: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch_doc, dict):
        return patch_doc
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch_doc.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def drop_nulls(body: Any) -> Any:
    """``application/json`` PATCH in v4: null means "leave unchanged"."""
    if isinstance(body, dict):
        return {k: drop_nulls(v) for k, v in body.items() if v is not None}
    return body


def modified_since(doc: Doc, header: str | None) -> bool:
    """True when ``If-Unmodified-Since`` is older than the document's ``updatedAt``."""
    if not header:
        return False

    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        since = parse_iso(header)
    updated = parse_iso(doc.get("updatedAt", ""))
    if since is None or updated is None:
        return False
    return format_iso(updated)[:19] > format_iso(since)[:19]
