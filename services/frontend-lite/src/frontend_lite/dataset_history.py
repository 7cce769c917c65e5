"""A dataset's history and lifecycle, as the History and Lifecycle tabs show them.

Backend v5.2.1 answers ``GET /api/v3/datasets/{pid}`` (without ``fields``) with
``history``: its generic history of the dataset rebuilt in the legacy form, oldest first,
``[{updatedAt, updatedBy, <field>: {previousValue, currentValue}, …}]``. With the
``document`` tracking strategy every field of the document appears in every entry; only
those whose value changed are shown, so each entry reads as who, when and what.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .formatting import show_time, show_value

SKIPPED = frozenset({"updatedAt", "updatedBy", "_id", "id", "__v", "createdAt", "createdBy"})
MAX_TEXT = 300
MAX_ENTRIES = 200

# The lifecycle fields (upstream's DatasetLifecycle schema), in the order shown.
LIFECYCLE: tuple[tuple[str, str, str], ...] = (
    ("archivable", "Archivable", "flag"),
    ("retrievable", "Retrievable", "flag"),
    ("publishable", "Publishable", "flag"),
    ("archiveStatusMessage", "Archive status", "text"),
    ("retrieveStatusMessage", "Retrieve status", "text"),
    ("isOnCentralDisk", "On central disk", "flag"),
    ("storageLocation", "Storage location", "text"),
    ("exportedTo", "Exported to", "text"),
    ("retrieveIntegrityCheck", "Retrieve integrity check", "flag"),
    ("dateOfPublishing", "End of embargo period", "time"),
    ("publishedOn", "Publication date", "time"),
    ("dateOfDiskPurging", "Data deletion date", "time"),
    ("archiveRetentionTime", "Archive retention date", "time"),
    ("archiveReturnMessage", "Archive system message", "json"),
    ("retrieveReturnMessage", "Retrieve system message", "json"),
)


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    when: str
    who: str
    changes: tuple[Change, ...]


def _short(value: Any) -> str:
    if value is None:
        return "—"
    text = (
        show_value(value)
        if not isinstance(value, (dict, list))
        else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _changes(entry: Mapping[str, Any]) -> list[Change]:
    found = []
    for name, change in entry.items():
        if name in SKIPPED or not isinstance(change, Mapping):
            continue
        if "previousValue" not in change and "currentValue" not in change:
            continue
        before, after = change.get("previousValue"), change.get("currentValue")
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            # Nested objects (scientificMetadata, datasetlifecycle): name the inner keys.
            for key in sorted(set(before) | set(after)):
                if not _same(before.get(key), after.get(key)):
                    found.append(
                        Change(f"{name}.{key}", _short(before.get(key)), _short(after.get(key)))
                    )
        elif not _same(before, after):
            found.append(Change(name, _short(before), _short(after)))
    return found


def history_entries(history: Sequence[Any] | None) -> list[Entry]:
    """Newest first; entries that changed nothing visible are left out."""
    entries = []
    for item in reversed(list(history or [])[-MAX_ENTRIES:]):
        if not isinstance(item, Mapping):
            continue
        changes = _changes(item)
        if changes:
            who = str(item.get("updatedBy") or "unknown").removeprefix("ldap.")
            entries.append(Entry(show_time(str(item.get("updatedAt") or "")), who, tuple(changes)))
    return entries


@dataclass(frozen=True)
class LifecycleRow:
    name: str
    label: str
    text: str
    kind: str


def lifecycle_rows(lifecycle: Mapping[str, Any] | None) -> list[LifecycleRow]:
    rows = []
    for name, label, kind in LIFECYCLE:
        if lifecycle is None or name not in lifecycle:
            continue
        value = lifecycle[name]
        if kind == "flag":
            text = "yes" if value is True else "no" if value is False else _short(value)
        elif kind == "time":
            text = show_time(value) if isinstance(value, str) else _short(value)
        elif kind == "json":
            if not value:
                continue
            text = _short(value)
        else:
            text = _short(value) if value not in (None, "") else "—"
        rows.append(LifecycleRow(name, label, text, kind))
    return rows
