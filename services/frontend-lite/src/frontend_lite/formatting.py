"""Turning backend values into text: sizes, times, metadata tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote


def link_id(value: str) -> str:
    """An id in one of our paths (``/datasets/<pid>``): ``/`` stays, the rest is quoted."""
    return quote(value, safe="/")


SIZE_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB")
MAX_DEPTH = 8


def human_size(size: float | None) -> str:
    """Decimal units, as SciCat's frontend shows them: 1 kB = 1000 B."""
    if size is None:
        return ""
    value = float(size)
    if value < 0:
        return str(size)
    for unit in SIZE_UNITS:
        if value < 1000 or unit == SIZE_UNITS[-1]:
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def show_time(value: str | None) -> str:
    """``2024-01-23 10:00 UTC``; text that is not an ISO time is shown as it is."""
    parsed = parse_time(value)
    if parsed is None:
        return value or ""
    moment = parsed.astimezone(UTC)
    pattern = "%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern) + " UTC"


def show_time_short(value: str | None) -> str:
    """``2024-01-23 10:00`` (UTC, to the minute) for narrow columns; the full time goes in a title."""
    parsed = parse_time(value)
    if parsed is None:
        return value or ""
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


PATH_TAIL = 24


def pid_tail(pid: str | None) -> str:
    """A PID without its prefix (``20.500.12345/abc`` → ``…/abc``): the prefix is the same in every row."""
    if not pid or "/" not in pid:
        return pid or ""
    return "…/" + pid.rsplit("/", 1)[1]


def path_tail(path: str | None, limit: int = PATH_TAIL) -> str:
    """The end of a long path, cut at a ``/``: rows differ in their last folders, not the first."""
    if not path or len(path) <= limit:
        return path or ""
    tail = path[-limit:]
    cut = tail.find("/")
    if 0 <= cut < len(tail) - 1:
        tail = tail[cut:]
    return "…" + tail


def show_value(value: Any) -> str:
    """A metadata value as text: JSON spelling for booleans, null and structures."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))  # 90.0 → "90", as JavaScript shows it
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class MetadataRow:
    name: str
    value: str
    unit: str


def metadata_rows(metadata: dict[str, Any] | None) -> list[MetadataRow]:
    """Scientific metadata or sample characteristics as (name, value, unit) rows.

    ``{"value": v, "unit": u}`` entries are one row; other objects are opened with
    dotted names (``statistics.overall.rMerge``); lists and deeper data are JSON.
    Rows are in name order (case-insensitive): backends do not keep key order
    (PostgreSQL's JSONB sorts keys by length), so this is the one stable order.
    """
    rows: list[MetadataRow] = []

    def walk(prefix: str, data: dict[str, Any], depth: int) -> None:
        for key, entry in data.items():
            name = f"{prefix}{key}"
            if isinstance(entry, dict) and "value" in entry:
                unit = entry.get("unit")
                rows.append(
                    MetadataRow(name, show_value(entry["value"]), "" if unit is None else str(unit))
                )
            elif isinstance(entry, dict) and entry and depth < MAX_DEPTH:
                walk(f"{name}.", entry, depth + 1)
            else:
                rows.append(MetadataRow(name, show_value(entry), ""))

    walk("", metadata or {}, 0)
    return sorted(rows, key=lambda row: (row.name.lower(), row.name))
