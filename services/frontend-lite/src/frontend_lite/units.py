"""Units as SciCat stores them (mathjs spellings), grouped by what they measure.

The views convert between units of one kind; the condition editor offers the units of
the kind a metadata key is stored in (the backend converts both sides to SI itself).
"""

from __future__ import annotations

import math

# Each unit as (kind, factor to the kind's base unit). Only linear scales: °C and °F are
# not here, so nothing converts them.
UNITS: dict[str, tuple[str, float]] = {
    "m": ("length", 1.0),
    "km": ("length", 1e3),
    "cm": ("length", 1e-2),
    "mm": ("length", 1e-3),
    "um": ("length", 1e-6),
    "µm": ("length", 1e-6),
    "nm": ("length", 1e-9),
    "pm": ("length", 1e-12),
    "angstrom": ("length", 1e-10),
    "Å": ("length", 1e-10),
    "eV": ("energy", 1.0),
    "meV": ("energy", 1e-3),
    "keV": ("energy", 1e3),
    "MeV": ("energy", 1e6),
    "J": ("energy", 6.241509074e18),
    "s": ("time", 1.0),
    "ms": ("time", 1e-3),
    "us": ("time", 1e-6),
    "µs": ("time", 1e-6),
    "ns": ("time", 1e-9),
    "min": ("time", 60.0),
    "h": ("time", 3600.0),
    "deg": ("angle", math.pi / 180),
    "rad": ("angle", 1.0),
    "mrad": ("angle", 1e-3),
    "%": ("fraction", 1e-2),
    "s^-1": ("rate", 1.0),
    "1/s": ("rate", 1.0),
    "Hz": ("rate", 1.0),
    "kHz": ("rate", 1e3),
    "MHz": ("rate", 1e6),
    "Da": ("mass", 1.0),
    "kDa": ("mass", 1e3),
    "g": ("mass", 6.02214076e23),
    "mg": ("mass", 6.02214076e20),
    "kg": ("mass", 6.02214076e26),
    "K": ("temperature", 1.0),
    "mK": ("temperature", 1e-3),
    "Pa": ("pressure", 1.0),
    "kPa": ("pressure", 1e3),
    "mbar": ("pressure", 1e2),
    "bar": ("pressure", 1e5),
    "atm": ("pressure", 101325.0),
    "L": ("volume", 1e-3),
    "mL": ("volume", 1e-6),
    "uL": ("volume", 1e-9),
    "µL": ("volume", 1e-9),
    "M": ("concentration", 1.0),
    "mM": ("concentration", 1e-3),
    "uM": ("concentration", 1e-6),
}
SYMBOLS: dict[str, str] = {
    "angstrom": "Å",
    "deg": "°",
    "um": "µm",
    "us": "µs",
    "uL": "µL",
    "uM": "µM",
    "s^-1": "s⁻¹",
    "1/s": "s⁻¹",
}
# Spellings shown as the alternative of one listed (the list offers each unit once).
ALIASES = frozenset({"Å", "µm", "µs", "µL", "1/s"})


def symbol(unit: str | None) -> str:
    return SYMBOLS.get(unit or "", unit or "")


def kind_of(unit: str | None) -> str | None:
    found = UNITS.get(unit or "")
    return found[0] if found else None


def same_kind(unit: str) -> list[str]:
    """The units one may give for a quantity stored in ``unit`` (that unit first)."""
    kind = kind_of(unit)
    if kind is None:
        return [unit] if unit else []
    others = sorted(
        (u for u, (k, _) in UNITS.items() if k == kind and u != unit and u not in ALIASES),
        key=lambda u: UNITS[u][1],
    )
    return [unit, *others]


def convert(value: float, from_unit: str, to_unit: str) -> float | None:
    """``value`` in ``from_unit`` expressed in ``to_unit``; None across kinds or unknown units."""
    source, target = UNITS.get(from_unit), UNITS.get(to_unit)
    if source is None or target is None or source[0] != target[0]:
        return None
    return value * source[1] / target[1]
