"""Evaluating a checked ``where`` on a node (LoopBack semantics on the PaNOSC model).

Parameters are special (doc/query.md, "General remarks"): inside one ``and``, a ``unit``
condition sets the unit of the group's ``value`` conditions; a numeric value is then compared
after converting the parameter's own quantity to that unit, and ``unit`` itself matches any
unit of the same dimension (``{"unit": "eV"}`` matches a parameter stored in keV).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .filters import compile_pattern, parse_date
from .model import DATE_PROPERTIES, TEXT_FIELDS, Node
from .units import same_dimension, si_unit, to_si


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _comparable(left: Any, right: Any, prop: str) -> tuple[Any, Any] | None:
    """Both sides as values of one type, or None when they cannot be ordered."""
    if prop in DATE_PROPERTIES:
        first, second = parse_date(left), parse_date(right)
        return (first, second) if first is not None and second is not None else None
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    a, b = _number(left), _number(right)
    return (a, b) if a is not None and b is not None else None


def _equal(left: Any, right: Any, prop: str) -> bool:
    if isinstance(left, list):
        return any(_equal(item, right, prop) for item in left)
    if left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    pair = _comparable(left, right, prop)
    return pair is not None and pair[0] == pair[1]


def _ordered(left: Any, right: Any, prop: str, test: Callable[[Any, Any], bool]) -> bool:
    if isinstance(left, list):
        return any(_ordered(item, right, prop, test) for item in left)
    pair = _comparable(left, right, prop)
    return pair is not None and test(pair[0], pair[1])


def _pattern(left: Any, operator: str, pattern: str) -> bool:
    if isinstance(left, list):
        return any(_pattern(item, operator, pattern) for item in left)
    if not isinstance(left, str):
        return False
    return compile_pattern(operator, pattern).search(left) is not None


def condition_holds(value: Any, condition: Any, prop: str) -> bool:
    """One property condition: a plain value (equality) or an operator object."""
    if not isinstance(condition, dict):
        return _equal(value, condition, prop)
    return all(_operator(value, op, arg, prop) for op, arg in condition.items())


def _operator(value: Any, op: str, arg: Any, prop: str) -> bool:
    if op == "eq":
        return _equal(value, arg, prop)
    if op == "neq":
        return not _equal(value, arg, prop)
    if op == "gt":
        return _ordered(value, arg, prop, lambda a, b: a > b)
    if op == "gte":
        return _ordered(value, arg, prop, lambda a, b: a >= b)
    if op == "lt":
        return _ordered(value, arg, prop, lambda a, b: a < b)
    if op == "lte":
        return _ordered(value, arg, prop, lambda a, b: a <= b)
    if op == "between":
        low, high = arg
        return _ordered(value, low, prop, lambda a, b: a >= b) and _ordered(
            value, high, prop, lambda a, b: a <= b)
    if op == "inq":
        return any(_equal(value, item, prop) for item in arg)
    if op == "nin":
        return not any(_equal(value, item, prop) for item in arg)
    if op in ("like", "ilike", "regexp"):
        return _pattern(value, op, arg)
    if op in ("nlike", "nilike"):
        return not _pattern(value, op, arg)
    if op == "exists":
        return (value is not None) is arg
    raise AssertionError(f"unchecked operator {op}")  # filters.check_where rejects it first


def matches(node: Node, where: dict[str, Any] | None) -> bool:
    if not where:
        return True
    if node.kind == "Parameter":
        return _parameter_matches(node, where, None)
    return _matches(node, where)


def _matches(node: Node, where: dict[str, Any]) -> bool:
    for key, condition in where.items():
        if key == "and":
            if not all(_matches(node, part) for part in condition):
                return False
        elif key == "or":
            if not any(_matches(node, part) for part in condition):
                return False
        elif key == "text":
            if not _text_matches(node, condition):
                return False
        elif not condition_holds(node.fields.get(key), condition, key):
            return False
    return True


def _text_matches(node: Node, text: str) -> bool:
    needle = text.casefold()
    return any(
        needle in str(node.fields.get(name) or "").casefold()
        for name in TEXT_FIELDS.get(node.kind, ())
    )


def group_unit(parts: list[dict[str, Any]]) -> str | None:
    """The unit a group of ``and`` conditions names, e.g. ``[{"name": …}, {"unit": "eV"}]``."""
    for part in parts:
        unit = part.get("unit")
        if isinstance(unit, str):
            return unit
    return None


def _parameter_matches(node: Node, where: dict[str, Any], unit: str | None) -> bool:
    if isinstance(where.get("unit"), str):
        unit = where["unit"]
    for key, condition in where.items():
        if key == "and":
            inner = group_unit(condition) or unit
            if not all(_parameter_matches(node, part, inner) for part in condition):
                return False
        elif key == "or":
            if not any(_parameter_matches(node, part, unit) for part in condition):
                return False
        elif key == "text":
            if not _text_matches(node, condition):
                return False
        elif key == "unit" and isinstance(condition, str):
            if not _unit_matches(node, condition):
                return False
        elif key == "value" and unit:
            if not _value_in_unit(node, condition, unit):
                return False
        elif not condition_holds(node.fields.get(key), condition, key):
            return False
    return True


def _unit_matches(node: Node, unit: str) -> bool:
    own = node.fields.get("unit") or ""
    if not own or not unit:
        return own == unit
    return same_dimension(own, unit)


def _in_si(operand: Any, unit: str) -> Any:
    """A numeric operand of the query, in SI; anything else unchanged."""
    number = _number(operand)
    if number is None:
        return operand
    converted = to_si(number, unit)
    return converted.value if converted else operand


def _condition_in_si(condition: Any, unit: str) -> Any:
    if not isinstance(condition, dict):
        return _in_si(condition, unit)
    return {op: [_in_si(a, unit) for a in arg] if isinstance(arg, list) else _in_si(arg, unit)
            for op, arg in condition.items()}


def _value_in_unit(node: Node, condition: Any, unit: str) -> bool:
    """Compared in SI: the parameter's stored SI value against the query's operands in SI."""
    value, own = node.fields.get("value"), node.fields.get("unit") or ""
    if _number(value) is None or not own or not unit:
        return condition_holds(value, condition, "value")
    wanted = si_unit(unit)
    if node.si is None or wanted is None:
        return own == unit and condition_holds(value, condition, "value")
    if node.si.unit != wanted:
        return False  # another dimension
    return condition_holds(node.si.value, _condition_in_si(condition, unit), "value")


def required_names(where: dict[str, Any] | None) -> set[str] | None:
    """The parameter names a parameter ``where`` can match, or None when any name can.

    ``{"and": [{"name": "x"}, …]}`` can only match parameters named x; an ``or`` of such groups
    only their names. Used to look parameters up by name instead of testing each one.
    """
    if not where:
        return None
    if isinstance(where.get("name"), str):
        return {where["name"]}
    if isinstance(where.get("and"), list):
        for part in where["and"]:
            if isinstance(part, dict) and (found := required_names(part)) is not None:
                return found
        return None
    if isinstance(where.get("or"), list) and len(where) == 1:
        names: set[str] = set()
        for part in where["or"]:
            found = required_names(part) if isinstance(part, dict) else None
            if found is None:
                return None
            names |= found
        return names
    return None
