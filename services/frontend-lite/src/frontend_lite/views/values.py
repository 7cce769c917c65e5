"""Metadata values as a view shows them: found by key, converted to a unit, rounded.

SciCat metadata entries are ``{"value": v, "unit": u}`` (scicat-lite and backend-next add
``valueSI``/``unitSI``) or bare values. Units are mathjs spellings (``angstrom``, ``keV``,
``s^-1``); a view may ask for another unit of the same kind, and the value is converted.
Where the stored unit is not one this module can convert, the value is shown with the
unit it has, never relabelled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..formatting import show_time, show_value

ABSENT = "—"

# Each unit as (dimension, factor to the dimension's base unit).
UNITS: dict[str, tuple[str, float]] = {
    "m": ("length", 1.0),
    "mm": ("length", 1e-3),
    "um": ("length", 1e-6),
    "µm": ("length", 1e-6),
    "nm": ("length", 1e-9),
    "angstrom": ("length", 1e-10),
    "Å": ("length", 1e-10),
    "eV": ("energy", 1.0),
    "keV": ("energy", 1e3),
    "s": ("time", 1.0),
    "ms": ("time", 1e-3),
    "us": ("time", 1e-6),
    "deg": ("angle", math.pi / 180),
    "rad": ("angle", 1.0),
    "%": ("fraction", 1e-2),
    "s^-1": ("rate", 1.0),
    "1/s": ("rate", 1.0),
    "Hz": ("rate", 1.0),
    "kDa": ("mass", 1e3),
    "Da": ("mass", 1.0),
}
SYMBOLS: dict[str, str] = {
    "angstrom": "Å",
    "deg": "°",
    "um": "µm",
    "us": "µs",
    "s^-1": "s⁻¹",
    "1/s": "s⁻¹",
}


TIGHT_SYMBOLS = frozenset({"%", "°"})


def symbol(unit: str | None) -> str:
    return SYMBOLS.get(unit or "", unit or "")


def unit_suffix(shown_unit: str) -> str:
    """`` Å`` after a number, but ``%`` and ``°`` without a space."""
    if not shown_unit:
        return ""
    return shown_unit if shown_unit in TIGHT_SYMBOLS else f" {shown_unit}"


def lookup(data: Mapping[str, Any] | None, path: str) -> Any:
    """The entry at a dotted ``path``: ``statistics.overall`` → ``data["statistics"]["overall"]``.

    A key that itself holds a dot (``Container.code``) is found too: the longest key
    present at each level wins.
    """
    current: Any = data
    parts = path.split(".")
    index = 0
    while index < len(parts):
        if not isinstance(current, Mapping):
            return None
        for end in range(len(parts), index, -1):
            key = ".".join(parts[index:end])
            if key in current:
                current = current[key]
                index = end
                break
        else:
            return None
    return current


def quantity(entry: Any) -> tuple[Any, str]:
    """``(value, unit)`` of a metadata entry, bare or ``{value, unit}``."""
    if isinstance(entry, Mapping) and "value" in entry:
        unit = entry.get("unit")
        return entry["value"], "" if unit is None else str(unit)
    return entry, ""


def convert(value: float, from_unit: str, to_unit: str) -> float | None:
    """``value`` in ``to_unit``; None when the two are not known units of one kind."""
    if from_unit == to_unit:
        return value
    source, target = UNITS.get(from_unit), UNITS.get(to_unit)
    if source is None or target is None or source[0] != target[0]:
        return None
    return value * source[1] / target[1]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def format_number(value: float, digits: int | None, style: str = "auto") -> str:
    if style == "scientific" or (style == "auto" and value != 0 and abs(value) >= 1e7):
        return f"{value:.{2 if digits is None else digits}e}"
    if digits is not None:
        return f"{value:.{digits}f}"
    return show_value(value)


@dataclass(frozen=True)
class Shown:
    """A value ready for a page: its text and unit symbol, or absent (shown as "—")."""

    text: str
    unit: str = ""
    raw: Any = None
    stored_unit: str = ""
    href: str | None = None

    @property
    def present(self) -> bool:
        return self.text != ""

    @property
    def display(self) -> str:
        if not self.present:
            return ABSENT
        return self.text + unit_suffix(self.unit)


NOTHING = Shown("")


def show(
    entry: Any, *, unit: str | None = None, digits: int | None = None, style: str = "auto"
) -> Shown:
    """One metadata entry as text, in ``unit`` if it is given and reachable."""
    value, stored = quantity(entry)
    if value is None or value == "" or value == []:
        return NOTHING
    if style == "time":
        return Shown(show_time(str(value)), raw=value)
    if style == "list" and isinstance(value, list):
        return Shown(", ".join(show_value(v) for v in value), raw=value)
    number = _number(value)
    if number is None or style == "text":
        return Shown(show_value(value), symbol(stored), raw=value, stored_unit=stored)
    shown_unit = stored
    if unit is not None and unit != stored:
        converted = convert(number, stored, unit) if stored else None
        if converted is not None:
            number, shown_unit = converted, unit
        elif not stored:
            shown_unit = unit  # a bare number: the configuration says what it is
    return Shown(format_number(number, digits, style), symbol(shown_unit), value, stored)
