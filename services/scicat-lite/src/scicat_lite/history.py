"""v5's generic history of changes (``src/common/mongoose/plugins/history.plugin.ts``).

Every update and delete of a tracked collection writes one ``History`` entry
``{subsystem, documentId, before, after, operation, timestamp, user}``. Collections are
tracked when their name (Dataset, Proposal, Sample, Instrument, PublishedData, Policy,
Datablock, Attachment) occurs in ``TRACKABLES`` — upstream tests the raw variable with a
substring match, and so does this. ``TRACKABLE_STRATEGY=delta`` stores only the changed
fields (and their previous values); the default ``document`` stores both documents.
Creations are not recorded.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Protocol

import psycopg

from .settings import Settings
from .store import Collection, Doc
from .timeutil import now_iso

HISTORY = Collection("history")
SUBSYSTEMS = (
    "Dataset",
    "Proposal",
    "Sample",
    "Instrument",
    "PublishedData",
    "Policy",
    "Datablock",
    "Attachment",
)


class HasSettings(Protocol):
    settings: Settings


def tracked(ctx: HasSettings, subsystem: str) -> bool:
    return subsystem in ctx.settings.features.trackables


def delta(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``computeDeltaWithOriginals``: (changed values, their previous values)."""
    changed: dict[str, Any] = {}
    originals: dict[str, Any] = {}
    for key, value in new.items():
        if key in ("_id", "__v"):
            continue
        previous = old.get(key)
        if isinstance(previous, dict) and isinstance(value, dict):
            inner_changed, inner_originals = delta(previous, value)
            if inner_changed:
                changed[key], originals[key] = inner_changed, inner_originals
        elif json.dumps(previous, sort_keys=True) != json.dumps(value, sort_keys=True):
            changed[key], originals[key] = value, previous
    for key, previous in old.items():
        if key not in new and key not in ("_id", "__v") and not isinstance(previous, dict):
            changed[key], originals[key] = None, previous
    return changed, originals


def _record(
    ctx: HasSettings,
    conn: psycopg.Connection,
    subsystem: str,
    operation: str,
    before: Doc,
    after: Doc | None,
    user: str | None,
) -> None:
    if not tracked(ctx, subsystem):
        return
    document_id = before.get("_id")
    if after is not None and ctx.settings.features.trackable_strategy == "delta":
        after, before = delta(before, after)
    entry: Doc = {
        "_id": str(uuid.uuid4()),
        "subsystem": subsystem,
        "documentId": document_id,
        "before": before,
        "after": after,
        "operation": operation,
        "user": user,
        "timestamp": now_iso(),
        "__v": 0,
    }
    HISTORY.insert(conn, entry)


def _document_id(subsystem: str, doc: Doc) -> Any:
    keys = {
        "Dataset": "pid",
        "Proposal": "proposalId",
        "Sample": "sampleId",
        "Instrument": "pid",
        "PublishedData": "doi",
        "Policy": "_id",
        "Datablock": "_id",
        "Attachment": "aid",
    }
    return doc.get("_id") or doc.get(keys.get(subsystem, "_id"))


def record_update(
    ctx: HasSettings,
    conn: psycopg.Connection,
    subsystem: str,
    before: Doc,
    after: Doc,
    user: str | None,
) -> None:
    """After a tracked document was changed (upstream's findOneAndUpdate hook)."""
    entry_before = dict(before)
    entry_before.setdefault("_id", _document_id(subsystem, before))
    _record(ctx, conn, subsystem, "update", entry_before, dict(after), user)


def record_delete(
    ctx: HasSettings, conn: psycopg.Connection, subsystem: str, before: Doc, user: str | None
) -> None:
    """After a tracked document was deleted (findOneAndDelete / deleteOne hooks)."""
    entry_before = dict(before)
    entry_before.setdefault("_id", _document_id(subsystem, before))
    _record(ctx, conn, subsystem, "delete", entry_before, None, user)
