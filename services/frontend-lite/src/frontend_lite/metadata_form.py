"""The metadata editor: scientific metadata or sample characteristics as typed rows.

Each row is a type (upstream's quantity, number, string, date, link, number_range,
quantity_range), a displayed name, the raw key, a value and, for quantities, a unit. A
changed row is written in the upstream editor's shape ``{value, unit, human_name, type}``
(numbers as numbers, ranges as ``[min, max]``); a row left as it was keeps its entry
exactly as stored (``valueSI``, ``ontology_reference``… included). Entries that are no
``{value}`` object and no plain number or text (nested objects, lists, booleans) are shown
as ``json`` rows and saved back as the JSON they hold, never flattened to text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from .forms import FieldErrors, Posted

TYPES = ("quantity", "number", "string", "date", "link", "number_range", "quantity_range", "json")
QUANTITIES = frozenset({"quantity", "quantity_range"})
RANGES = frozenset({"number_range", "quantity_range"})
MAX_ROWS = 2000
NEW_ROWS = 1


@dataclass(frozen=True)
class Row:
    """One editor row, as the form shows and posts it."""

    index: int
    type: str = "string"
    human: str = ""
    name: str = ""
    value: str = ""
    unit: str = ""
    original: str = ""  # the key this row was read from ("" for a new row)
    remove: bool = False

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.value.strip() or self.unit.strip() or self.human)

    def field(self, part: str) -> str:
        return f"m{self.index}.{part}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def row_of(index: int, key: str, entry: Any) -> Row:
    """The row that shows a stored entry (the choice of type follows the upstream editor)."""
    base = Row(index=index, name=key, original=key)
    if isinstance(entry, Mapping) and "value" in entry:
        declared = entry.get("type")
        value, unit = entry.get("value"), entry.get("unit") or ""
        human = str(entry.get("human_name") or "")
        if declared in RANGES and isinstance(value, list):
            kind = "quantity_range" if unit else "number_range"
            text = ", ".join(_text(v) for v in value)
            return replace(base, type=kind, human=human, value=text, unit=str(unit))
        if unit:
            return replace(base, type="quantity", human=human, value=_text(value), unit=str(unit))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return replace(base, type="number", human=human, value=_text(value))
        if isinstance(value, str):
            kind = declared if declared in ("link", "date") else "string"
            return replace(base, type=kind, human=human, value=value)
        return replace(base, type="json", human=human, value=_text(value))
    if isinstance(entry, (int, float)) and not isinstance(entry, bool):
        return replace(base, type="number", value=_text(entry))
    if isinstance(entry, str):
        return replace(base, type="string", value=entry)
    return replace(base, type="json", value=_text(entry))


def rows_of(metadata: Mapping[str, Any] | None) -> list[Row]:
    """The rows of stored metadata, in name order (as the metadata table lists them)."""
    keys = sorted(metadata or {}, key=lambda k: (k.lower(), k))
    rows = [row_of(i, key, (metadata or {})[key]) for i, key in enumerate(keys)]
    return rows + blank_rows(len(rows), NEW_ROWS)


def blank_rows(start: int, count: int) -> list[Row]:
    return [Row(index=start + i) for i in range(count)]


def rows_from_form(form: Posted) -> list[Row]:
    """The rows as posted (indexes as the form numbered them, in that order)."""
    indexes: list[int] = []
    for name, _ in form.pairs:
        if name.startswith("m") and name.endswith(".name"):
            try:
                number = int(name[1:-5])
            except ValueError:
                continue
            if number not in indexes and 0 <= number < MAX_ROWS:
                indexes.append(number)
    rows = []
    for number in indexes:
        prefix = f"m{number}."
        kind = form.get(prefix + "type", "string")
        rows.append(
            Row(
                index=number,
                type=kind if kind in TYPES else "string",
                human=form.get(prefix + "human").strip(),
                name=form.get(prefix + "name").strip(),
                value=form.get(prefix + "value"),
                unit=form.get(prefix + "unit").strip(),
                original=form.get(prefix + "original"),
                remove=form.get(prefix + "remove") == "1",
            )
        )
    return rows


def _number(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _typed(row: Row) -> tuple[Any, str | None]:
    """(value, error) for the row's type, as the upstream editor's validators check it."""
    text = row.value
    if not text.strip():
        return None, "Value is required"
    if row.type in ("number", "quantity"):
        number = _number(text)
        return (number, None) if number is not None else (None, "Value must be a number")
    if row.type in RANGES:
        parts = [p.strip() for p in text.split(",")]
        numbers = [_number(p) for p in parts]
        if len(parts) != 2 or None in numbers:
            return None, "Invalid range: give two numbers, e.g. 1.5, 2.5"
        return numbers, None
    if row.type == "date":
        try:
            return datetime.fromisoformat(text.strip()).isoformat(), None
        except ValueError:
            return None, "Invalid date: use an ISO date, e.g. 2024-03-11T10:00:00Z"
    if row.type == "link":
        parsed = urlparse(text.strip())
        if not parsed.scheme or not parsed.netloc:
            return None, "Invalid link: give a full URL, e.g. https://example.org/x"
        return text.strip(), None
    if row.type == "json":
        try:
            return json.loads(text), None
        except ValueError as error:
            return None, f"Not valid JSON: {error}"
    return text, None


@dataclass
class Outcome:
    """The metadata to save, or the errors to show beside the rows."""

    metadata: dict[str, Any] = field(default_factory=dict)
    errors: FieldErrors = field(default_factory=FieldErrors)


def build_metadata(rows: list[Row], stored: Mapping[str, Any] | None) -> Outcome:
    """The metadata the rows describe; unchanged rows keep their stored entries."""
    stored = stored or {}
    outcome = Outcome()
    kept = [r for r in rows if not r.remove and not r.blank]
    names = [r.name for r in kept]
    for row in kept:
        errors = outcome.errors
        if len(row.name) < 2:
            errors.add(row.field("name"), "Name is required (at least 2 characters)")
        elif names.count(row.name) > 1:
            errors.add(row.field("name"), "Name already exists")
        if row.original in stored and row == replace(
            row_of(row.index, row.original, stored[row.original]), remove=row.remove
        ):
            outcome.metadata[row.name] = stored[row.original]
            continue
        value, problem = _typed(row)
        if problem:
            errors.add(row.field("value"), problem)
        if row.type in QUANTITIES and not row.unit:
            errors.add(row.field("unit"), "A unit is required for quantities")
        if row.type == "json" and not row.human:
            outcome.metadata[row.name] = value
            continue
        entry: dict[str, Any] = {
            "value": value,
            "unit": row.unit if row.type in QUANTITIES else "",
            "human_name": row.human,
            "type": row.type,
        }
        previous = stored.get(row.original)
        if isinstance(previous, Mapping) and "ontology_reference" in previous:
            entry["ontology_reference"] = previous["ontology_reference"]
        outcome.metadata[row.name] = entry
    return outcome
