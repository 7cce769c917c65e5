"""Whole list filters: ``where`` plus ``fields``, ``limits`` (order, limit, skip) and ``include``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .sql import FieldPolicy, FilterError, Sql
from .where import WhereTranslator


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
            raise FilterError(f"Property {min(unknown)} should not exist in the filter object")
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
