"""Conversion of physical quantities to SI, for ``valueSI``/``unitSI`` and scientific search.

The backend uses mathjs (``unit(v, u).toSI()``); this covers the units found in facility
metadata: SI base and derived units with decimal prefixes, a few common non-SI units, an
optional integer power (``mm^2``) and one division (``km/h``). A unit it does not know is
returned unchanged, as the backend does when mathjs fails.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class _Unit:
    factor: float
    si: str
    offset: float = 0.0
    prefixable: bool = True


_UNITS: dict[str, _Unit] = {
    "m": _Unit(1, "m"),
    "g": _Unit(1e-3, "kg"),
    "s": _Unit(1, "s"),
    "A": _Unit(1, "A"),
    "K": _Unit(1, "K"),
    "mol": _Unit(1, "mol"),
    "cd": _Unit(1, "cd"),
    "Hz": _Unit(1, "Hz"),
    "N": _Unit(1, "N"),
    "Pa": _Unit(1, "Pa"),
    "J": _Unit(1, "J"),
    "W": _Unit(1, "W"),
    "C": _Unit(1, "C"),
    "V": _Unit(1, "V"),
    "F": _Unit(1, "F"),
    "ohm": _Unit(1, "ohm"),
    "S": _Unit(1, "S"),
    "Wb": _Unit(1, "Wb"),
    "T": _Unit(1, "T"),
    "H": _Unit(1, "H"),
    "rad": _Unit(1, "rad"),
    "sr": _Unit(1, "sr"),
    "Gy": _Unit(1, "Gy"),
    "Bq": _Unit(1, "Bq"),
    "eV": _Unit(1.602176634e-19, "J"),
    "bar": _Unit(1e5, "Pa"),
    "L": _Unit(1e-3, "m^3"),
    "l": _Unit(1e-3, "m^3"),
    "min": _Unit(60, "s", prefixable=False),
    "h": _Unit(3600, "s", prefixable=False),
    "hour": _Unit(3600, "s", prefixable=False),
    "day": _Unit(86400, "s", prefixable=False),
    "angstrom": _Unit(1e-10, "m", prefixable=False),
    "\u00c5": _Unit(1e-10, "m", prefixable=False),
    "inch": _Unit(0.0254, "m", prefixable=False),
    "in": _Unit(0.0254, "m", prefixable=False),
    "ft": _Unit(0.3048, "m", prefixable=False),
    "atm": _Unit(101325, "Pa", prefixable=False),
    "torr": _Unit(101325 / 760, "Pa", prefixable=False),
    "Torr": _Unit(101325 / 760, "Pa", prefixable=False),
    "psi": _Unit(6894.757293168361, "Pa", prefixable=False),
    "deg": _Unit(math.pi / 180, "rad", prefixable=False),
    "degree": _Unit(math.pi / 180, "rad", prefixable=False),
    "gauss": _Unit(1e-4, "T", prefixable=False),
    "G": _Unit(1e-4, "T", prefixable=False),
    "degC": _Unit(1, "K", offset=273.15, prefixable=False),
    "celsius": _Unit(1, "K", offset=273.15, prefixable=False),
    "degF": _Unit(5 / 9, "K", offset=459.67 * 5 / 9, prefixable=False),
    "fahrenheit": _Unit(5 / 9, "K", offset=459.67 * 5 / 9, prefixable=False),
}

_PREFIXES: dict[str, float] = {
    "Y": 1e24,
    "Z": 1e21,
    "E": 1e18,
    "P": 1e15,
    "T": 1e12,
    "G": 1e9,
    "M": 1e6,
    "k": 1e3,
    "h": 1e2,
    "da": 1e1,
    "d": 1e-1,
    "c": 1e-2,
    "m": 1e-3,
    "u": 1e-6,
    "\u00b5": 1e-6,
    "n": 1e-9,
    "p": 1e-12,
    "f": 1e-15,
    "a": 1e-18,
    "z": 1e-21,
    "y": 1e-24,
}

_TERM = re.compile(r"^\s*([^\s^/*]+)\s*(?:\^\s*(-?\d+))?\s*$")


_LONGEST_PREFIX_FIRST = sorted(_PREFIXES, key=len, reverse=True)


def _lookup(symbol: str) -> tuple[float, _Unit] | None:
    if symbol in _UNITS:
        return 1.0, _UNITS[symbol]
    for prefix in _LONGEST_PREFIX_FIRST:
        base = _UNITS.get(symbol[len(prefix) :]) if symbol.startswith(prefix) else None
        if base is not None and base.prefixable:
            return _PREFIXES[prefix], base
    return None


def _term(text: str) -> tuple[float, _Unit, int] | None:
    match = _TERM.match(text)
    if not match:
        return None
    found = _lookup(match.group(1))
    if found is None:
        return None
    prefix, unit = found
    return prefix, unit, int(match.group(2) or 1)


def _power(si: str, power: int) -> str:
    if power == 1:
        return si
    base, _, existing = si.partition("^")
    return f"{base}^{int(existing or 1) * power}"


def to_si(value: float, unit: str) -> tuple[float, str]:
    """``(value, unit)`` in SI; unknown units come back unchanged."""
    conversion = _conversion(unit)
    if conversion is None:
        return value, unit
    factor, offset, si_unit = conversion
    return value * factor + offset, si_unit


# A catalogue's metadata uses a few dozen unit strings: each is parsed once, not per value.
@functools.lru_cache(maxsize=4096)
def _conversion(unit: str) -> tuple[float, float, str] | None:
    """``unit`` → (factor, offset, SI unit), or None when it is not understood."""
    text = unicodedata.normalize("NFC", unit.strip()).replace("\u03bc", "\u00b5")
    numerator, slash, denominator = text.partition("/")
    top = _term(numerator)
    bottom = _term(denominator) if slash else (1.0, _Unit(1, ""), 1)
    if top is None or bottom is None:
        return None
    (p1, u1, e1), (p2, u2, e2) = top, bottom
    if (u1.offset and (e1 != 1 or slash)) or u2.offset:
        return None
    factor = (p1 * u1.factor) ** e1 / (p2 * u2.factor) ** e2
    si_unit = _power(u1.si, e1) + (f" / {_power(u2.si, e2)}" if slash else "")
    return factor, u1.offset, si_unit


def add_si_fields(metadata: object) -> object:
    """Add ``valueSI``/``unitSI`` next to every ``{value, unit}`` (or ``{v, u}``) entry."""
    if not isinstance(metadata, dict):
        return metadata
    result: dict[str, object] = {}
    for key, entry in metadata.items():
        result[key] = _with_si(entry) if isinstance(entry, dict) else entry
    return result


def _with_si(entry: dict[str, object]) -> dict[str, object]:
    # Of the first key starting with "v" (and with "u") that is not an SI one.
    value: object = None
    unit: object = None
    value_found = unit_found = False
    for key, item in entry.items():
        if key.endswith("SI"):
            continue
        if not value_found and key.startswith("v"):
            value, value_found = item, True
        elif not unit_found and key.startswith("u"):
            unit, unit_found = item, True
    if (
        isinstance(unit, str)
        and unit
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        value_si, unit_si = to_si(float(value), unit)
        return {**entry, "valueSI": value_si, "unitSI": unit_si}
    if isinstance(unit, str) and unit and _is_pair(value):
        converted = [to_si(float(v), unit) for v in value]  # type: ignore[union-attr]
        return {**entry, "valueSI": [c[0] for c in converted], "unitSI": converted[0][1]}
    return {key: _with_si(sub) if isinstance(sub, dict) else sub for key, sub in entry.items()}


def _is_pair(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    )
