"""LoopBack filters, as PaNOSC uses them (doc/query.md): parsed and checked against the model.

A filter that names an unknown property, relation or operator, or gives an operator the
wrong kind of argument, is rejected with a ``FilterError`` that says where (``filter.include[0]
.scope.where.and[1].value``) and what is allowed; the routes answer it with a 400.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .model import DATE_PROPERTIES, PROPERTIES, RELATIONS

OPERATORS = frozenset({
    "eq", "neq", "gt", "gte", "lt", "lte", "between", "inq", "nin", "like", "nlike", "ilike",
    "nilike", "regexp", "exists",
})
_SCOPE_KEYS = frozenset({"where", "include", "limit", "skip", "offset", "order", "fields"})
_FILTER_KEYS = _SCOPE_KEYS | {"query"}
MAX_PATTERN = 256
# A quantified group that holds a quantifier, e.g. (a+)+ or (\w*)*: Python's regular expressions
# can take exponential time on those, and this API is public.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_ORDER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?\s*$", re.IGNORECASE)


class FilterError(ValueError):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass
class Include:
    relation: str
    target: str  # the related model
    many: bool
    scope: Scope


@dataclass
class Scope:
    kind: str
    where: dict[str, Any] | None = None
    include: list[Include] = field(default_factory=list)
    limit: int | None = None
    skip: int = 0
    order: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    fields: set[str] | None = None
    query: str | None = None

    @property
    def constraining(self) -> bool:
        """Upstream's inner-join rule: a scope with a where or nested includes filters parents."""
        return self.where is not None or bool(self.include)


def load_json(raw: str | None, name: str) -> Any:
    if raw is None or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise FilterError(name, f"is not valid JSON ({error.msg} at character {error.pos})") \
            from None


def parse_filter(raw: str | None, kind: str, *, query: str | None = None) -> Scope:
    value = load_json(raw, "filter")
    scope = parse_scope(value if value is not None else {}, kind, "filter", _FILTER_KEYS)
    text = query if query is not None else (value or {}).get("query")
    if text is not None and not isinstance(text, str):
        raise FilterError("filter.query", "must be a string of keywords")
    scope.query = text.strip() or None if isinstance(text, str) else None
    return scope


def parse_where(raw: str | None, kind: str) -> dict[str, Any] | None:
    value = load_json(raw, "where")
    if value is None:
        return None
    check_where(value, kind, "where")
    return dict(value)


def _non_negative(value: Any, where: str) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FilterError(where, f"must be a non-negative integer, got {json.dumps(value)}")
    return value


def parse_scope(value: Any, kind: str, where: str, allowed: frozenset[str] = _SCOPE_KEYS) -> Scope:
    if not isinstance(value, dict):
        raise FilterError(where, "must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise FilterError(f"{where}.{unknown[0]}",
                          f"unknown filter key; use {', '.join(sorted(allowed))}")
    scope = Scope(kind)
    if value.get("where") is not None:
        check_where(value["where"], kind, f"{where}.where")
        scope.where = value["where"]
    scope.include = _includes(value.get("include"), kind, f"{where}.include")
    if value.get("limit") is not None:
        scope.limit = _non_negative(value["limit"], f"{where}.limit") or None
    skip = value.get("skip", value.get("offset"))
    if skip is not None:
        scope.skip = _non_negative(skip, f"{where}.skip")
    scope.order = _order(value.get("order"), kind, f"{where}.order")
    scope.fields = _fields(value.get("fields"), kind, f"{where}.fields")
    return scope


def _includes(value: Any, kind: str, where: str) -> list[Include]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    includes = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]" if isinstance(value, list) else where
        if isinstance(item, str):
            item = {"relation": item}
        if not isinstance(item, dict) or not isinstance(item.get("relation"), str):
            raise FilterError(here, 'must be a relation name or {"relation": name, "scope": {…}}')
        extra = sorted(set(item) - {"relation", "scope"})
        if extra:
            raise FilterError(f"{here}.{extra[0]}", "unknown key; use relation and scope")
        relation = item["relation"]
        known = RELATIONS.get(kind, {})
        if relation not in known:
            names = ", ".join(known) or "none"
            raise FilterError(f"{here}.relation",
                              f"{kind} has no relation {relation!r}; its relations are {names}")
        target, many = known[relation]
        scope = parse_scope(item.get("scope") or {}, target, f"{here}.scope")
        includes.append(Include(relation, target, many, scope))
    return includes


def _order(value: Any, kind: str, where: str) -> list[tuple[str, bool]]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    order = []
    for item in items:
        match = _ORDER.match(item) if isinstance(item, str) else None
        if match is None or match.group(1) not in PROPERTIES[kind]:
            raise FilterError(where, f'must be "property ASC|DESC" with a {kind} property '
                              f"({', '.join(PROPERTIES[kind])}), got {json.dumps(item)}")
        order.append((match.group(1), (match.group(2) or "ASC").upper() == "DESC"))
    return order


def _fields(value: Any, kind: str, where: str) -> set[str] | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        names = set(value)
    elif isinstance(value, dict) and all(isinstance(v, bool) for v in value.values()):
        shown = {k for k, v in value.items() if v}
        names = shown or set(PROPERTIES[kind]) - set(value)
    else:
        raise FilterError(where, 'must be a list of properties or {"property": true|false}')
    unknown = sorted(names - set(PROPERTIES[kind]) - {"score"})
    if unknown:
        raise FilterError(where, f"{kind} has no property {unknown[0]!r}")
    return names


def check_where(value: Any, kind: str, where: str) -> None:
    if not isinstance(value, dict):
        raise FilterError(where, "must be a JSON object")
    for key, condition in value.items():
        here = f"{where}.{key}"
        if key in ("and", "or"):
            if not isinstance(condition, list) or not condition:
                raise FilterError(here, "must be a non-empty list of conditions")
            for index, part in enumerate(condition):
                check_where(part, kind, f"{here}[{index}]")
        elif key == "text":
            if not isinstance(condition, str):
                raise FilterError(here, "must be a string")
        elif key not in PROPERTIES.get(kind, ()):
            raise FilterError(here, f"{kind} has no property {key!r}; its properties are "
                              f"{', '.join(PROPERTIES[kind])}")
        else:
            _check_condition(condition, key, here)


def _check_condition(condition: Any, prop: str, where: str) -> None:
    if not isinstance(condition, dict):
        if isinstance(condition, list):
            raise FilterError(where, 'must be a value or an operator object such as {"gt": 1}')
        _check_date(condition, prop, where)
        return
    if not condition:
        raise FilterError(where, "an operator object needs an operator")
    for operator, argument in condition.items():
        here = f"{where}.{operator}"
        if operator not in OPERATORS:
            raise FilterError(here, f"unknown operator; use {', '.join(sorted(OPERATORS))}")
        if operator == "between":
            if not isinstance(argument, list) or len(argument) != 2:
                raise FilterError(here, "needs a list of two bounds, e.g. [880, 990]")
            for bound in argument:
                _check_scalar(bound, prop, here)
        elif operator in ("inq", "nin"):
            if not isinstance(argument, list):
                raise FilterError(here, "needs a list of values")
            for item in argument:
                _check_scalar(item, prop, here)
        elif operator in ("like", "nlike", "ilike", "nilike", "regexp"):
            if not isinstance(argument, str):
                raise FilterError(here, "needs a string pattern")
            if len(argument) > MAX_PATTERN:
                raise FilterError(here, f"patterns are limited to {MAX_PATTERN} characters")
            if operator == "regexp" and _NESTED_QUANTIFIER.search(argument):
                raise FilterError(here, "a quantified group that holds a quantifier (like "
                                  "(a+)+) is refused: it can take exponential time")
            try:
                compile_pattern(operator, argument)
            except re.error as error:
                raise FilterError(here, f"is not a valid pattern: {error}") from None
        elif operator == "exists":
            if not isinstance(argument, bool):
                raise FilterError(here, "needs true or false")
        else:
            _check_scalar(argument, prop, here)


def _check_scalar(value: Any, prop: str, where: str) -> None:
    if isinstance(value, (dict, list)):
        raise FilterError(where, "needs a number, string, boolean or null")
    _check_date(value, prop, where)


def _check_date(value: Any, prop: str, where: str) -> None:
    if prop in DATE_PROPERTIES and value is not None and parse_date(value) is None:
        raise FilterError(where, f"{prop} is a date: give an ISO 8601 date, got {json.dumps(value)}")


def parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def compile_pattern(operator: str, pattern: str) -> re.Pattern[str]:
    """LoopBack's ``like``: SQL wildcards (% and _) match whole values, otherwise a regex."""
    flags = re.IGNORECASE if operator in ("ilike", "nilike") else 0
    if operator == "regexp":
        match = re.fullmatch(r"/(.*)/([gimsuy]*)", pattern, re.DOTALL)
        if match:
            pattern = match.group(1)
            flags |= re.IGNORECASE if "i" in match.group(2) else 0
        return re.compile(pattern, flags)
    if "%" in pattern or "_" in pattern:
        body = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
        return re.compile(f"^{body}$", flags | re.DOTALL)
    return re.compile(pattern, flags)
