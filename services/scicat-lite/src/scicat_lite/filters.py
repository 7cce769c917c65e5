"""Translate loopback/Mongo style ``filter`` objects into parameterised PostgreSQL.

Documents live in a ``doc jsonb`` column. A ``where`` object becomes a boolean SQL
expression whose values are all bound parameters; field paths are bound as ``text[]``
parameters of the ``#>`` operator, so nothing from a request is ever spliced into the
SQL text. Only the operators listed here are understood; anything else is a
:class:`FilterError`, which the routes turn into a 400.

Semantics follow MongoDB, which the backend runs on: a condition on a field that holds
an array matches when any element matches, ``neq``/``nin`` also match missing fields,
and ``{"field": null}`` matches missing or null fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .timeutil import normalise_date_string

MAX_DEPTH = 8
MAX_CONDITIONS = 400
MAX_LIST = 1000
MAX_PATTERN = 1000

_FIELD_SEGMENT = re.compile(r"^[^$\x00][^\x00]{0,254}$")


class FilterError(ValueError):
    """A filter that cannot be translated (the client's fault: HTTP 400)."""


@dataclass(frozen=True)
class Sql:
    """A SQL fragment with ``%s`` placeholders and its parameters."""

    text: str
    params: tuple[Any, ...] = ()

    def __and__(self, other: Sql) -> Sql:
        return Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    @staticmethod
    def join(parts: Sequence[Sql], op: str, empty: str) -> Sql:
        if not parts:
            return Sql(empty)
        text = f" {op} ".join(f"({p.text})" for p in parts)
        return Sql(text, tuple(param for p in parts for param in p.params))


TRUE = Sql("TRUE")


@dataclass(frozen=True)
class FieldPolicy:
    """Which fields a collection knows and how legacy names map onto stored ones."""

    roots: frozenset[str] | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    timestamp_columns: Mapping[str, str] = field(default_factory=dict)
    # Facets read from these columns (text or text[]) instead of the document.
    facet_columns: Mapping[str, str] = field(default_factory=dict)
    array_columns: frozenset[str] = frozenset()

    def path(self, name: Any) -> list[str]:
        if not isinstance(name, str) or not name:
            raise FilterError(f"Invalid field name: {name!r}")
        segments = name.split(".")
        segments[0] = self.renames.get(segments[0], segments[0])
        if not all(_FIELD_SEGMENT.match(s) for s in segments):
            raise FilterError(f"Invalid field name: {name}")
        if self.roots is not None and segments[0] not in self.roots:
            raise FilterError(f"Property {segments[0]} should not exist in the filter object")
        return segments


_COMPARISONS = {
    "gt": ">",
    "$gt": ">",
    "gte": ">=",
    "$gte": ">=",
    "lt": "<",
    "$lt": "<",
    "lte": "<=",
    "$lte": "<=",
}
_LOGICAL = {"and": "AND", "$and": "AND", "or": "OR", "$or": "OR", "$nor": "NOR"}
_OPERATORS = frozenset(
    list(_COMPARISONS)
    + [
        "eq",
        "$eq",
        "neq",
        "$ne",
        "inq",
        "$in",
        "nin",
        "$nin",
        "between",
        "exists",
        "$exists",
        "like",
        "nlike",
        "ilike",
        "nilike",
        "regexp",
        "$regex",
        "$options",
        "$not",
    ]
)


def _nest(path: Sequence[str], value: Any) -> str:
    """``["a", "b"], v`` → ``{"a": {"b": v}}`` as JSON, for ``@>`` containment."""
    for segment in reversed(path):
        value = {segment: value}
    return json.dumps(value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    raise FilterError(f"Cannot compare with {json.dumps(value)}")


def _any_element(path: list[str], predicate: str, params: tuple[Any, ...]) -> Sql:
    """True when the value at ``path`` (or any element of it, for arrays) satisfies ``predicate`` on ``e``."""
    text = (
        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(doc #> %s) "
        "WHEN 'array' THEN doc #> %s ELSE jsonb_build_array(doc #> %s) END) AS e "
        f"WHERE {predicate})"
    )
    return Sql(text, (path, path, path) + params)


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_date_string(value)
    if isinstance(value, float) and value != value:  # NaN
        raise FilterError("NaN is not a valid filter value")
    return value


def _regex(pattern: Any, flags: str = "") -> tuple[str, bool]:
    """Accept ``"abc"``, ``"/abc/i"`` or a ``{"$regex", "$options"}`` pair; return (pattern, ignore case)."""
    if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        raise FilterError("A regular expression must be a string of at most 1000 characters")
    literal = re.fullmatch(r"/(.*)/([a-z]*)", pattern, re.S)
    if literal:
        pattern, flags = literal.group(1), flags + literal.group(2)
    unknown = set(flags) - {"i", "g", "m"}
    if unknown:
        raise FilterError(f"Unsupported regular expression option(s): {''.join(sorted(unknown))}")
    return pattern, "i" in flags


class WhereTranslator:
    """Builds the SQL for one ``where`` object under a :class:`FieldPolicy`."""

    def __init__(self, policy: FieldPolicy, *, loopback: bool = True) -> None:
        self._policy = policy
        self._loopback = loopback
        self._count = 0

    def translate(self, where: Any) -> Sql:
        if where is None:
            return TRUE
        return self._object(where, depth=0)

    def condition(self, path: list[str], spec: Any) -> Sql:
        """A condition on an explicit path (segments are not split on dots)."""
        return self._field(path, spec, depth=1)

    def _tick(self, depth: int) -> None:
        self._count += 1
        if depth > MAX_DEPTH:
            raise FilterError(f"The filter is nested deeper than {MAX_DEPTH} levels")
        if self._count > MAX_CONDITIONS:
            raise FilterError(f"The filter has more than {MAX_CONDITIONS} conditions")

    def _object(self, where: Any, depth: int) -> Sql:
        if not isinstance(where, dict):
            raise FilterError("where must be an object")
        self._tick(depth)
        parts = [self._entry(key, value, depth) for key, value in where.items()]
        return Sql.join(parts, "AND", "TRUE")

    def _entry(self, key: str, value: Any, depth: int) -> Sql:
        if key in _LOGICAL and (key.startswith("$") or self._loopback):
            return self._logical(_LOGICAL[key], value, depth)
        if key.startswith("$"):
            raise FilterError(f"Unsupported operator: {key}")
        return self._field(self._policy.path(key), value, depth + 1)

    def _logical(self, op: str, items: Any, depth: int) -> Sql:
        if not isinstance(items, list) or not items or len(items) > MAX_LIST:
            raise FilterError("and/or/$nor need a non-empty array of conditions")
        parts = [self._object(item, depth + 1) for item in items]
        if op == "NOR":
            return Sql(
                f"NOT ({Sql.join(parts, 'OR', 'FALSE').text})", Sql.join(parts, "OR", "").params
            )
        return Sql.join(parts, op, "TRUE")

    def _field(self, path: list[str], condition: Any, depth: int) -> Sql:
        self._tick(depth)
        if isinstance(condition, dict) and any(
            k in _OPERATORS or k.startswith("$") for k in condition
        ):
            unknown = [k for k in condition if k not in _OPERATORS]
            if unknown:
                raise FilterError(f"Unsupported operator: {unknown[0]}")
            options = condition.get("$options", "")
            if not isinstance(options, str):
                raise FilterError("$options must be a string")
            parts = [
                self._operator(path, op, arg, options, depth)
                for op, arg in condition.items()
                if op != "$options"
            ]
            return Sql.join(parts, "AND", "TRUE")
        return self._equals(path, condition)

    def _equals(self, path: list[str], value: Any) -> Sql:
        value = _normalise(value)
        if value is None:
            return Sql("(doc #> %s IS NULL OR doc #> %s = 'null'::jsonb)", (path, path))
        if isinstance(value, (list, dict)):
            return Sql("doc #> %s = %s::jsonb", (path, json.dumps(value)))
        return Sql(
            "(doc @> %s::jsonb OR doc @> %s::jsonb)", (_nest(path, value), _nest(path, [value]))
        )

    def _in(self, path: list[str], values: Any) -> Sql:
        if not isinstance(values, list) or len(values) > MAX_LIST:
            raise FilterError(f"inq/nin need an array of at most {MAX_LIST} values")
        if any(isinstance(v, (list, dict)) for v in values):
            raise FilterError("inq/nin values must be scalars")
        return Sql.join([self._equals(path, v) for v in values], "OR", "FALSE")

    def _operator(self, path: list[str], op: str, arg: Any, options: str, depth: int) -> Sql:
        if op in ("eq", "$eq"):
            return self._equals(path, arg)
        if op in ("neq", "$ne"):
            return Sql(f"NOT ({self._equals(path, arg).text})", self._equals(path, arg).params)
        if op in ("inq", "$in"):
            return self._in(path, arg)
        if op in ("nin", "$nin"):
            inner = self._in(path, arg)
            return Sql(f"NOT ({inner.text})", inner.params)
        if op in _COMPARISONS:
            return self._compare(path, _COMPARISONS[op], arg)
        if op == "between":
            if not isinstance(arg, list) or len(arg) != 2:
                raise FilterError("between needs an array of two values")
            return self._compare(path, ">=", arg[0]) & self._compare(path, "<=", arg[1])
        if op in ("exists", "$exists"):
            if not isinstance(arg, bool):
                raise FilterError("exists needs a boolean")
            return Sql(f"doc #> %s IS {'NOT ' if arg else ''}NULL", (path,))
        if op == "$not":
            if not isinstance(arg, dict):
                raise FilterError("$not needs an operator object")
            inner = self._field(path, arg, depth + 1)
            return Sql(f"NOT ({inner.text})", inner.params)
        return self._pattern(path, op, arg, options)

    def _pattern(self, path: list[str], op: str, arg: Any, options: str) -> Sql:
        pattern, ignore_case = _regex(arg, options + ("i" if op in ("ilike", "nilike") else ""))
        operator = "~*" if ignore_case else "~"
        match = _any_element(
            path, f"jsonb_typeof(e) = 'string' AND e #>> '{{}}' {operator} %s", (pattern,)
        )
        if op in ("nlike", "nilike"):
            return Sql(f"NOT ({match.text})", match.params)
        return match

    def _compare(self, path: list[str], operator: str, value: Any) -> Sql:
        value = _normalise(value)
        column = self._policy.timestamp_columns.get(".".join(path))
        if column and isinstance(value, str):
            return Sql(f"{column} {operator} scicat_timestamp(%s)", (value,))
        kind = _json_type(value)
        predicate = f"jsonb_typeof(e) = %s AND e {operator} %s::jsonb"
        return _any_element(path, predicate, (kind, json.dumps(value)))


@dataclass(frozen=True)
class Query:
    """A parsed list filter."""

    where: Sql
    fields: list[str] | None
    order: Sql
    limit: int | None
    skip: int
    include: list[str]


_FILTER_KEYS = frozenset({"where", "fields", "limits", "include", "limit", "skip", "order"})


def parse_json(raw: str | None, what: str = "filter") -> Any:
    """Decode a JSON query parameter; bad JSON is a :class:`FilterError`."""
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise FilterError(f"Invalid JSON in {what}: {error}") from error


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise FilterError(f"{name} must be a non-negative integer")
    return value


class FilterParser:
    """Parses whole filter objects (where + fields + limits) for one collection."""

    def __init__(self, policy: FieldPolicy, *, loopback: bool = True) -> None:
        self.policy = policy
        self.loopback = loopback

    def where(self, where: Any) -> Sql:
        return WhereTranslator(self.policy, loopback=self.loopback).translate(where)

    def fields(self, fields: Any) -> list[str] | None:
        if fields is None or fields == [] or fields == {}:
            return None
        if isinstance(fields, dict):
            fields = [name for name, wanted in fields.items() if wanted]
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise FilterError("fields must be an array of field names")
        for name in fields:
            self.policy.path(name)
        return fields

    def order(self, order: Any) -> Sql:
        """``"f:desc"``, ``"f DESC"``, a list of those, or ``{"f": "asc"|"desc"|1|-1}``."""
        if order is None or order == "" or order == {}:
            return Sql("seq")
        items: list[tuple[str, str]] = []
        if isinstance(order, str):
            order = [order]
        if isinstance(order, dict):
            items = [(name, str(direction)) for name, direction in order.items()]
        elif isinstance(order, list) and all(isinstance(o, str) for o in order):
            for entry in order:
                items.append(_split_order(entry))
        else:
            raise FilterError("order must be a string such as 'creationTime:desc'")
        parts = [self._order_item(name, direction) for name, direction in items]
        return Sql(
            ", ".join(p.text for p in parts) + ", seq", tuple(x for p in parts for x in p.params)
        )

    def _order_item(self, name: str, direction: str) -> Sql:
        direction = direction.strip().lower() or "asc"
        sql_direction = {"asc": "ASC", "1": "ASC", "desc": "DESC", "-1": "DESC"}.get(direction)
        if sql_direction is None:
            raise FilterError(f"Invalid sort direction: {direction}")
        path = self.policy.path(name)
        column = self.policy.timestamp_columns.get(".".join(path))
        if column:
            return Sql(f"{column} {sql_direction}")
        return Sql(f"doc #> %s {sql_direction}", (path,))

    def query(self, raw: Any, *, default_limit: int | None) -> Query:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise FilterError("filter must be a JSON object")
        unknown = set(raw) - _FILTER_KEYS
        if unknown:
            raise FilterError(
                f"Property {sorted(unknown)[0]} should not exist in the filter object"
            )
        limits = raw.get("limits") or {}
        if not isinstance(limits, dict):
            raise FilterError("limits must be an object")
        limit = limits.get("limit", default_limit)
        return Query(
            where=self.where(raw.get("where")),
            fields=self.fields(raw.get("fields")),
            order=self.order(limits.get("order", limits.get("sort"))),
            limit=None if limit is None else _int(limit, "limit") or None,
            skip=_int(limits.get("skip", 0), "skip"),
            include=_include(raw.get("include")),
        )


def _split_order(entry: str) -> tuple[str, str]:
    entry = entry.strip()
    for separator in (":", " "):
        if separator in entry:
            name, direction = entry.split(separator, 1)
            return name.strip(), direction.strip()
    return entry, "asc"


def _include(raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    names: list[str] = []
    for item in items:
        name = item.get("relation") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise FilterError("include must name relations")
        names.append(name)
    return names
