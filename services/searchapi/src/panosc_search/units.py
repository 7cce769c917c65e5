"""Physical quantities: every numeric parameter is compared in SI units (pint).

PaNOSC's spec says a query's value is converted to SI, compared with the stored SI value,
and returned in the query's unit. Unit names follow what facilities write (``keV``,
``Å``/``angstrom``, ``celsius``/``degC``, ``um``); pint knows these and their prefixes.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pint

# SciCat metadata spells a few units in ways pint reads differently or not at all.
_ALIASES = {"Å": "angstrom", "Angstrom": "angstrom", "A^-1": "1/angstrom", "µm": "um",
            "μm": "um", "deg C": "degC", "°C": "degC", "°": "degree", "degrees": "degree"}


class UnitError(ValueError):
    """A unit that pint cannot read."""


@functools.lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


@functools.lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    name = _ALIASES.get(text.strip(), text.strip())
    try:
        return registry().Unit(name)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError,
            ValueError, TypeError, AssertionError) as error:
        raise UnitError(f"unknown unit {text!r}") from error


@dataclass(frozen=True)
class SI:
    value: float
    unit: str  # pint's base-unit expression, e.g. "kilogram * meter ** 2 / second ** 2"


@functools.lru_cache(maxsize=4096)
def _scale(unit: str) -> tuple[float, str, bool] | None:
    """``unit``'s factor to SI, the SI unit, and whether it has an offset (°C, °F)."""
    try:
        one = registry().Quantity(1.0, parse_unit(unit)).to_base_units()
        zero = registry().Quantity(0.0, parse_unit(unit)).to_base_units()
    except (UnitError, pint.errors.PintError):
        return None
    return float(one.magnitude), str(one.units), float(zero.magnitude) != 0.0


def to_si(value: float, unit: str) -> SI | None:
    """``value unit`` in SI base units; None when the unit is unknown or the value not finite."""
    if not unit or not math.isfinite(value):
        return None
    scale = _scale(unit.strip())
    if scale is None:
        return None
    factor, si_unit, offset = scale
    if not offset:
        return SI(value * factor, si_unit)
    quantity = registry().Quantity(value, parse_unit(unit)).to_base_units()
    return SI(float(quantity.magnitude), si_unit)


def si_unit(unit: str) -> str | None:
    """The SI unit ``unit`` converts to (None when pint does not know it)."""
    scale = _scale(unit.strip())
    return scale[1] if scale else None


def convert(value: float, unit: str, target: str) -> float:
    """``value unit`` expressed in ``target`` (raises UnitError, pint.DimensionalityError)."""
    quantity = registry().Quantity(value, parse_unit(unit))
    return float(quantity.to(parse_unit(target)).magnitude)


def same_dimension(unit: str, other: str) -> bool:
    try:
        return bool(parse_unit(unit).dimensionality == parse_unit(other).dimensionality)
    except UnitError:
        return unit.strip() == other.strip()
