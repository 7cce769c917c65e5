"""Scientific conditions of the datasets list: ``lhs relation rhs [unit]`` on a metadata key.

They travel in the query string as ``cond=["lhs","RELATION",rhs,"unit"]`` (JSON) and
reach the backend as ``fields.scientific``, in the relations backend v5.2.1 compares:
``EQUAL_TO_NUMERIC``/``EQUAL_TO_STRING`` (the upstream frontend's "=" picks one by whether
the value is a number), ``LESS_THAN``, ``GREATER_THAN``, ``LESS_THAN_OR_EQUAL``,
``GREATER_THAN_OR_EQUAL``, ``RANGE`` (``rhs = [min, max]``) and ``CONTAINS_STRING``. With a
unit, the backend converts the value to SI and compares ``valueSI``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

MAX_CONDITIONS = 10
MAX_TEXT = 200

# What the visitor picks → the backend's relation (for "=", by the value's kind).
CHOICES: dict[str, str] = {
    "=": "EQUAL_TO",
    "<": "LESS_THAN",
    ">": "GREATER_THAN",
    "≤": "LESS_THAN_OR_EQUAL",
    "≥": "GREATER_THAN_OR_EQUAL",
    "range": "RANGE",
    "contains": "CONTAINS_STRING",
}
LABELS: dict[str, str] = {
    "=": "is equal to (=)",
    "<": "is less than (<)",
    ">": "is greater than (>)",
    "≤": "is less than or equal to (≤)",
    "≥": "is greater than or equal to (≥)",
    "range": "is in range (min ↔ max)",
    "contains": "contains (text)",
}
SYMBOL_OF: dict[str, str] = {
    "EQUAL_TO_NUMERIC": "=",
    "EQUAL_TO_STRING": "=",
    "LESS_THAN": "<",
    "GREATER_THAN": ">",
    "LESS_THAN_OR_EQUAL": "≤",
    "GREATER_THAN_OR_EQUAL": "≥",
    "RANGE": "range",
    "CONTAINS_STRING": "contains",
}
NUMERIC = frozenset(
    {"EQUAL_TO_NUMERIC", "LESS_THAN", "GREATER_THAN", "LESS_THAN_OR_EQUAL", "GREATER_THAN_OR_EQUAL"}
)


class ConditionError(ValueError):
    pass


class Condition(BaseModel):
    model_config = ConfigDict(frozen=True)

    lhs: str
    relation: str
    rhs: str | float | tuple[float, float]
    unit: str = ""

    # -- towards the backend and the query string --------------------------------------

    def scientific(self) -> dict[str, Any]:
        rhs: Any = list(self.rhs) if isinstance(self.rhs, tuple) else self.rhs
        return {"lhs": self.lhs, "relation": self.relation, "rhs": rhs, "unit": self.unit}

    def encode(self) -> str:
        rhs: Any = list(self.rhs) if isinstance(self.rhs, tuple) else self.rhs
        return json.dumps([self.lhs, self.relation, rhs, self.unit], ensure_ascii=False)

    @property
    def text(self) -> str:
        """The chip: ``resolution ≤ 2 angstrom``, ``dose: 1 ↔ 5 MGy``, ``beamline contains "ID"``."""
        unit = f" {self.unit}" if self.unit else ""
        if isinstance(self.rhs, tuple):
            return f"{self.lhs}: {_number(self.rhs[0])} ↔ {_number(self.rhs[1])}{unit}"
        if self.relation == "CONTAINS_STRING":
            return f'{self.lhs} contains "{self.rhs}"'
        if self.relation == "EQUAL_TO_STRING":
            return f'{self.lhs} = "{self.rhs}"'
        shown = _number(self.rhs) if isinstance(self.rhs, float) else self.rhs
        return f"{self.lhs} {SYMBOL_OF.get(self.relation, self.relation)} {shown}{unit}"

    def setting(self) -> dict[str, Any]:
        """As the upstream frontend keeps it in ``fe_dataset_table_conditions``."""
        return {"condition": self.scientific(), "enabled": True}


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _as_number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise ConditionError(f"{what} must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise ConditionError(f"{what} must be a number, not {value!r}") from error
    if not math.isfinite(number):
        raise ConditionError(f"{what} must be a finite number")
    return number


def make(lhs: str, relation: str, rhs: Any, unit: str = "") -> Condition:
    """A checked condition; ``relation`` is a backend relation or ``EQUAL_TO``."""
    lhs, unit = lhs.strip(), (unit or "").strip()
    if not lhs or len(lhs) > MAX_TEXT:
        raise ConditionError("choose a metadata key")
    if len(unit) > MAX_TEXT:
        raise ConditionError("the unit is too long")
    if relation == "EQUAL_TO":
        text = str(rhs).strip()
        try:
            return Condition(
                lhs=lhs, relation="EQUAL_TO_NUMERIC", rhs=_as_number(text, "value"), unit=unit
            )
        except ConditionError:
            relation, rhs = "EQUAL_TO_STRING", text
    if relation in ("EQUAL_TO_STRING", "CONTAINS_STRING"):
        text = str(rhs).strip() if rhs is not None else ""
        if not text or len(text) > MAX_TEXT:
            raise ConditionError("give the text to compare with")
        return Condition(lhs=lhs, relation=relation, rhs=text, unit="")
    if relation == "RANGE":
        if not isinstance(rhs, Sequence) or isinstance(rhs, str) or len(rhs) != 2:
            raise ConditionError("a range needs a minimum and a maximum")
        low, high = _as_number(rhs[0], "minimum"), _as_number(rhs[1], "maximum")
        if low > high:
            raise ConditionError("the minimum is above the maximum")
        return Condition(lhs=lhs, relation=relation, rhs=(low, high), unit=unit)
    if relation in NUMERIC:
        return Condition(lhs=lhs, relation=relation, rhs=_as_number(rhs, "value"), unit=unit)
    raise ConditionError(f"unknown relation {relation!r}")


def decode(raw: str) -> Condition:
    """One ``cond`` parameter: ``["lhs", "RELATION", rhs, "unit"]``."""
    try:
        parts = json.loads(raw)
    except ValueError as error:
        raise ConditionError(f"cond: not JSON: {raw[:80]!r}") from error
    if not isinstance(parts, list) or len(parts) not in (3, 4) or not isinstance(parts[0], str):
        raise ConditionError('cond: expected ["key", "RELATION", value, "unit"]')
    if not isinstance(parts[1], str) or (len(parts) == 4 and not isinstance(parts[3], str)):
        raise ConditionError('cond: expected ["key", "RELATION", value, "unit"]')
    return make(parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else "")


def from_setting(entry: Any) -> Condition | None:
    """An enabled entry of ``fe_dataset_table_conditions`` (None when unusable or disabled)."""
    if not isinstance(entry, dict) or entry.get("enabled") is False:
        return None
    found = entry.get("condition")
    if not isinstance(found, dict):
        return None
    try:
        return make(
            str(found.get("lhs") or ""),
            str(found.get("relation") or ""),
            found.get("rhs"),
            str(found.get("unit") or ""),
        )
    except ConditionError:
        return None


def from_editor(key: str, choice: str, value: str, maximum: str, unit: str) -> Condition:
    """The condition editor's fields (a relation as the visitor picks it)."""
    relation = CHOICES.get(choice)
    if relation is None:
        raise ConditionError("choose a relation")
    if relation == "RANGE":
        return make(key, relation, [value, maximum], unit)
    if relation == "CONTAINS_STRING":
        return make(key, relation, value, "")
    if relation in NUMERIC and not value.strip():
        raise ConditionError("give a value")
    return make(key, relation, value, unit)
