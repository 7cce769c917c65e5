"""``fullquery``, ``fullfacet`` and ``metadataKeys``: the frontend's search endpoints."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import psycopg

from .filters import FieldPolicy, FilterError, Sql, WhereTranslator
from .units import to_si

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


def _facet_sql(table: str, policy: FieldPolicy, name: str, where: Sql) -> Sql:
    """Buckets of one facet; array values are unwound, as MongoDB's ``$unwind``."""
    if name == "creationTime":
        return Sql(
            "SELECT jsonb_build_object('year', extract(year FROM t)::int, 'month', extract(month FROM t)::int, "
            "'day', extract(day FROM t)::int) AS id, count(*) AS n FROM (SELECT creation_time AT TIME ZONE 'UTC' "
            f"AS t FROM {table} WHERE ({where.text}) AND creation_time IS NOT NULL) AS s GROUP BY 1",
            where.params,
        )
    path = policy.path(name)
    column = policy.facet_columns.get(".".join(path))
    if column and column in policy.array_columns:
        return Sql(
            f"SELECT to_jsonb(v) AS id, count(*) AS n FROM {table}, unnest({column}) AS v "
            f"WHERE {where.text} GROUP BY v",
            where.params,
        )
    if column:
        return Sql(
            f"SELECT to_jsonb({column}) AS id, count(*) AS n FROM {table} "
            f"WHERE ({where.text}) AND {column} IS NOT NULL GROUP BY {column}",
            where.params,
        )
    return Sql(
        f"SELECT v AS id, count(*) AS n FROM (SELECT doc #> %s AS x FROM {table} WHERE {where.text}) AS s, "
        "LATERAL jsonb_array_elements(CASE jsonb_typeof(x) WHEN 'array' THEN x ELSE jsonb_build_array(x) END) "
        "AS v WHERE x IS NOT NULL AND v <> 'null'::jsonb GROUP BY 1",
        (path, *where.params),
    )


def fullfacet(
    conn: psycopg.Connection,
    table: str,
    policy: FieldPolicy,
    conditions: dict[str, Sql],
    facets: list[str],
    visibility: Sql,
) -> list[dict[str, Any]]:
    """The backend's one-element facet answer; each facet ignores its own condition."""
    result: dict[str, Any] = {}
    for name in dict.fromkeys(facets):
        others = [sql for key, sql in conditions.items() if key != name]
        query = _facet_sql(table, policy, name, visibility & Sql.join(others, "AND", "TRUE"))
        buckets = [
            {"_id": row["id"], "count": row["n"]} for row in conn.execute(query.text, query.params)
        ]
        result[name] = sorted(buckets, key=_bucket_key, reverse=True)
    everything = visibility & Sql.join(list(conditions.values()), "AND", "TRUE")
    row = conn.execute(
        f"SELECT count(*) AS n FROM {table} WHERE {everything.text}", everything.params
    ).fetchone()
    total = int(row["n"]) if row else 0
    result["all"] = [{"totalSets": total}] if total else []
    return [result]


def _bucket_key(bucket: dict[str, Any]) -> tuple[int, Any]:
    """Sort buckets by ``_id`` like MongoDB: numbers before strings before objects."""
    value = bucket["_id"]
    if isinstance(value, dict):
        return (3, (value.get("year", 0), value.get("month", 0), value.get("day", 0)))
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value))


def parse_facets(raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw) or len(raw) > 50:
        raise FilterError("facets must be an array of field names")
    return raw


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
