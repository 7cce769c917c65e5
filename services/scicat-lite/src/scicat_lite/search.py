"""``fullquery``, ``fullfacet`` and ``metadataKeys``: the frontend's search endpoints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg

from .facets import fullfacet, parse_facets
from .filters import FieldPolicy, FilterError, Sql, WhereTranslator
from .units import to_si

__all__ = ["FieldsQuery", "fullfacet", "metadata_keys", "parse_facets", "text_condition"]

METADATA_PARENTS_LIMIT = 100
METADATA_KEYS_LIMIT = 100
_SPECIAL = frozenset({"text", "mode", "creationTime", "scientific", "userGroups", "metadataKey"})
_RELATIONS = {
    "GREATER_THAN": "$gt",
    "LESS_THAN": "$lt",
    "GREATER_THAN_OR_EQUAL": "$gte",
    "LESS_THAN_OR_EQUAL": "$lte",
}


# Tables without a stored ``search`` column match against the document's strings.
ON_THE_FLY_SEARCH = "jsonb_to_tsvector('english'::regconfig, doc, '[\"string\"]')"


def text_condition(text: Any, column: str = "search") -> Sql:
    """Word match, any word (MongoDB ``$text`` semantics), with English stemming."""
    if not isinstance(text, str):
        raise FilterError("text must be a string")
    words = [w for w in re.split(r"[\s,]+", text) if w][:32]
    if not words:
        return Sql("TRUE")
    query = " || ".join(["plainto_tsquery('english', %s)"] * len(words))
    return Sql(f"{column} @@ ({query})", tuple(words))


class FieldsQuery:
    """Translates a ``fields`` object into named SQL conditions (one per key)."""

    def __init__(
        self,
        policy: FieldPolicy,
        metadata_field: str = "scientificMetadata",
        search_column: str = ON_THE_FLY_SEARCH,
    ) -> None:
        self.policy = policy
        self.metadata_field = metadata_field
        self.search_column = search_column

    def conditions(self, fields: Any) -> dict[str, Sql]:
        if fields is None:
            return {}
        if not isinstance(fields, dict):
            raise FilterError("fields must be a JSON object")
        where = WhereTranslator(self.policy)
        result: dict[str, Sql] = {}
        for key, value in fields.items():
            if key in ("userGroups", "metadataKey") or value is None or value == "":
                continue
            if key == "text":
                result[key] = text_condition(value, self.search_column)
            elif key == "mode":
                result[key] = where.translate(value)
            elif key == "creationTime":
                result[key] = self._time_range(where, value)
            elif key == "scientific":
                result[key] = self._scientific(where, value)
            else:
                result[key] = self._column_condition(key, value) or where.translate(
                    {key: {"$in": value} if isinstance(value, list) else value}
                )
        return result

    def _column_condition(self, key: str, value: Any) -> Sql | None:
        """String equality on a field that has its own column: a plain indexed comparison."""
        column = self.policy.facet_columns.get(key)
        values = value if isinstance(value, list) else [value]
        if column is None or not values or not all(isinstance(v, str) for v in values):
            return None
        if column in self.policy.array_columns:
            return Sql(f"{column} && %s::text[]", (values,))
        return Sql(f"{column} = ANY(%s)", (values,))

    def _time_range(self, where: WhereTranslator, value: Any) -> Sql:
        if not isinstance(value, Mapping) or not set(value) <= {"begin", "end"}:
            raise FilterError("creationTime must be {begin, end}")
        spec = {op: value[k] for k, op in (("begin", "$gte"), ("end", "$lte")) if value.get(k)}
        return where.translate({"creationTime": spec}) if spec else Sql("TRUE")

    def _scientific(self, where: WhereTranslator, conditions: Any) -> Sql:
        if not isinstance(conditions, list):
            raise FilterError("scientific must be an array of conditions")
        return Sql.join([self._one_scientific(where, c) for c in conditions], "AND", "TRUE")

    def _one_scientific(self, where: WhereTranslator, condition: Any) -> Sql:
        if not isinstance(condition, Mapping) or not isinstance(condition.get("lhs"), str):
            raise FilterError("a scientific condition needs lhs, relation and rhs")
        lhs, relation, rhs = condition["lhs"], condition.get("relation"), condition.get("rhs")
        unit = condition.get("unit") or ""
        if not isinstance(unit, str):
            raise FilterError("unit must be a string")
        base = [self.metadata_field, lhs]
        if relation == "EQUAL_TO_STRING":
            return self._any_form(where, base, {"$eq": rhs})
        if relation == "CONTAINS_STRING":
            if not isinstance(rhs, str):
                raise FilterError("CONTAINS_STRING needs a string")
            return self._any_form(where, base, {"$regex": re.escape(rhs)})
        if relation == "RANGE":
            if not isinstance(rhs, list) or len(rhs) != 2:
                raise FilterError("RANGE needs rhs = [min, max]")
            if unit:
                return self._with_unit(where, base, {"$gt": rhs[0], "$lt": rhs[1]}, unit)
            return where.condition([*base, "value"], {"$gte": rhs[0], "$lte": rhs[1]})
        if relation == "EQUAL_TO_NUMERIC":
            if unit:
                return self._with_unit(where, base, {"$eq": rhs}, unit)
            return where.condition([*base, "value"], {"$eq": rhs})
        if relation in _RELATIONS:
            if unit:
                return self._with_unit(where, base, {_RELATIONS[relation]: rhs}, unit)
            return self._any_form(where, base, {_RELATIONS[relation]: rhs})
        raise FilterError(f"Unknown scientific relation: {relation}")

    @staticmethod
    def _any_form(where: WhereTranslator, base: list[str], spec: dict[str, Any]) -> Sql:
        """The entry itself, its ``v`` or its ``value`` (as the backend's buildCondition)."""
        paths = [base, [*base, "v"], [*base, "value"]]
        return Sql.join([where.condition(p, spec) for p in paths], "OR", "FALSE")

    @staticmethod
    def _with_unit(where: WhereTranslator, base: list[str], spec: dict[str, Any], unit: str) -> Sql:
        converted: dict[str, Any] = {}
        unit_si = unit
        for op, value in spec.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise FilterError("a quantity must be a number")
            try:
                number = float(value)
            except ValueError as error:
                raise FilterError(f"not a number: {value}") from error
            converted[op], unit_si = to_si(number, unit)
        value_condition = where.condition([*base, "valueSI"], converted)
        return value_condition & where.condition([*base, "unitSI"], {"$eq": unit_si})


def metadata_keys(
    conn: psycopg.Connection, table: str, field: str, where: Sql, key_filter: Any
) -> list[str]:
    """Distinct keys of ``field`` among the first matching documents."""
    pattern = "%"
    if isinstance(key_filter, str) and key_filter:
        escaped = key_filter.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
    sql = (
        f"SELECT DISTINCT k FROM (SELECT doc FROM {table} WHERE {where.text} ORDER BY seq LIMIT %s) AS d, "
        "LATERAL jsonb_object_keys(CASE jsonb_typeof(d.doc -> %s) WHEN 'object' THEN d.doc -> %s "
        "ELSE '{}'::jsonb END) AS k WHERE k ILIKE %s ORDER BY k LIMIT %s"
    )
    params = (*where.params, METADATA_PARENTS_LIMIT, field, field, pattern, METADATA_KEYS_LIMIT)
    return [row["k"] for row in conn.execute(sql, params)]
