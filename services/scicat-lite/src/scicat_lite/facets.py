"""``fullfacet``: bucket counts of several fields over the matching documents, in one pass.

Upstream (``createFullfacetPipeline``) applies every condition of ``fields`` before the
``$facet`` stage, so all facets count the same documents. Per facet, MongoDB semantics:
an array field is ``$unwind``-ed (missing or empty arrays add nothing), any other field is
grouped as it is (a missing field is the ``null`` bucket), a date field is bucketed by
``{year, month, day}``; buckets are sorted by ``_id`` descending in BSON order. A facet
that is no field of the collection is left out of the answer, as upstream warns and
skips it; ``datasetlifecycle.<x>`` is answered under ``<x>`` as upstream does.

One query groups the matching rows by every facet at once (``GROUPING SETS``); array
fields are grouped by their whole value and unwound here, weighted by the count of each
distinct array, which is far cheaper than unwinding every row. On datasets the facet
columns are covered by an index, so the scan never touches the wide document rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from .filters import FieldPolicy, FilterError, Sql

MAX_FACETS = 50


def parse_facets(raw: Any) -> list[str]:
    if raw is None:
        return []
    if (
        not isinstance(raw, list)
        or not all(isinstance(f, str) for f in raw)
        or len(raw) > MAX_FACETS
    ):
        raise FilterError("facets must be an array of field names")
    return raw


def _bucket_key(bucket: dict[str, Any]) -> tuple[int, Any]:
    """BSON order: null < numbers < strings < objects < arrays < booleans."""
    value = bucket["_id"]
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, dict):
        return (3, tuple((k, str(v)) for k, v in value.items()))
    return (4, str(value))


def _day(value: Any) -> dict[str, Any]:
    if value is None:
        return {"year": None, "month": None, "day": None}
    return {"year": value.year, "month": value.month, "day": value.day}


def _elements(value: Any) -> Iterable[Any]:
    """``$unwind`` of one stored value: array elements, a scalar as itself, null as nothing."""
    if value is None:
        return ()
    return value if isinstance(value, list) else (value,)


@dataclass(frozen=True)
class Facet:
    key: str  # the name in the answer
    expression: str  # what to group by (SQL)
    params: tuple[Any, ...]
    buckets: Callable[[Any], Iterable[Any]]  # the grouped value → the bucket ids it adds to


def plan_facet(policy: FieldPolicy, name: str) -> Facet | None:
    """How to group one facet, or None when upstream would leave it out."""
    key = name.removeprefix("datasetlifecycle.")
    path = policy.path(key)
    dotted = ".".join(path)
    if name == key:
        known = policy.known_fields if policy.known_fields is not None else policy.roots
        if known is not None and path[0] not in known:
            return None
        if len(path) > 1 and path[0] in policy.array_fields:
            return None  # a field inside an array of objects is no schema path upstream
    time_column = policy.timestamp_columns.get(dotted)
    if time_column:
        expression = f"date_trunc('day', {time_column} AT TIME ZONE 'UTC')"
        return Facet(key, expression, (), lambda value: (_day(value),))
    column = policy.facet_columns.get(dotted)
    if column:
        if column in policy.array_columns:
            return Facet(key, column, (), _elements)
        return Facet(key, column, (), lambda value: (value,))
    expression = "(doc #> %s)"
    if path[0] in policy.array_fields and len(path) == 1:
        return Facet(key, expression, (path,), _elements)
    return Facet(key, expression, (path,), lambda value: (value,))


def fullfacet(
    conn: psycopg.Connection,
    table: str,
    policy: FieldPolicy,
    conditions: dict[str, Sql],
    facets: list[str],
    visibility: Sql,
) -> list[dict[str, Any]]:
    """The backend's one-element answer ``[{<facet>: [{_id, count}], …, all: [{totalSets}]}]``."""
    where = visibility & Sql.join(list(conditions.values()), "AND", "TRUE")
    planned = [p for p in (plan_facet(policy, name) for name in dict.fromkeys(facets)) if p]
    columns = [f"{facet.expression} AS f{i}" for i, facet in enumerate(planned)]
    # GROUPING() flags the grouping set of each row; set i leaves bit i clear.
    flags = f"GROUPING({', '.join(f'f{i}' for i in range(len(planned)))})" if planned else "0"
    sets = ", ".join([*(f"(f{i})" for i in range(len(planned))), "()"])
    outputs = ", ".join(f"f{i}" for i in range(len(planned)))
    sql = (
        f"SELECT {flags} AS set, {outputs + ', ' if outputs else ''}count(*) AS n FROM "
        f"(SELECT {', '.join(columns) or '1 AS one'} FROM {table} WHERE {where.text}) AS matching "
        + (f"GROUP BY GROUPING SETS ({sets})" if planned else "")
    )
    params = tuple(p for facet in planned for p in facet.params) + where.params
    counts: list[Counter[Any]] = [Counter() for _ in planned]
    total = 0
    everything = (1 << len(planned)) - 1
    for row in conn.execute(sql, params):
        if row["set"] == everything:
            total = int(row["n"])
            continue
        index = len(planned) - 1 - (everything ^ row["set"]).bit_length() + 1
        for bucket in planned[index].buckets(row[f"f{index}"]):
            counts[index][_hashable(bucket)] += int(row["n"])
    result: dict[str, Any] = {}
    for facet, counted in zip(planned, counts, strict=True):
        buckets = [{"_id": _plain(value), "count": n} for value, n in counted.items()]
        result[facet.key] = sorted(buckets, key=_bucket_key, reverse=True)
    result["all"] = [{"totalSets": total}] if total else []
    return [result]


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return ("__object__", tuple(value.items()))
    if isinstance(value, list):
        return ("__array__", tuple(_hashable(v) for v in value))
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__object__":
        return dict(value[1])
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__array__":
        return [_plain(v) for v in value[1]]
    return value
