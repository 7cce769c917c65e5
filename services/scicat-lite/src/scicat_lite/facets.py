"""``fullfacet``: bucket counts of several fields over the matching documents, in one pass.

Upstream (``createFullfacetPipeline``) applies every condition of ``fields`` before the
``$facet`` stage, so all facets count the same documents. Per facet, MongoDB semantics:
an array field is ``$unwind``-ed (missing or empty arrays add nothing), any other field is
grouped as it is (a missing field is the ``null`` bucket), a date field is bucketed by
``{year, month, day}``; buckets are sorted by ``_id`` descending in BSON order. A facet
that is no field of the collection is left out of the answer, as upstream warns and
skips it; ``datasetlifecycle.<x>`` is answered under ``<x>`` as upstream does.

The matching rows are materialised once with only the columns the facets need (the
stored facet columns, or one JSON path each), and every facet is grouped from that.
"""

from __future__ import annotations

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


def _plan(
    policy: FieldPolicy, name: str, index: int
) -> tuple[str, str, tuple[Any, ...], str] | None:
    """(answer key, CTE column, its parameters, grouping query) for one facet, or None."""
    key = name.removeprefix("datasetlifecycle.") if name.startswith("datasetlifecycle.") else name
    path = policy.path(key)
    dotted = ".".join(path)
    known = policy.known_fields if policy.known_fields is not None else policy.roots
    if name == key and known is not None and path[0] not in known:
        return None
    if name == key and len(path) > 1 and path[0] in policy.array_fields:
        return None  # a field inside an array of objects is no schema path upstream
    alias = f"f{index}"
    time_column = policy.timestamp_columns.get(dotted)
    if time_column:
        group = (
            f"SELECT {index} AS facet, jsonb_build_object("
            f"'year', extract(year FROM {alias} AT TIME ZONE 'UTC')::int, "
            f"'month', extract(month FROM {alias} AT TIME ZONE 'UTC')::int, "
            f"'day', extract(day FROM {alias} AT TIME ZONE 'UTC')::int) AS id, count(*) AS n "
            "FROM matching GROUP BY 2"
        )
        return key, f"{time_column} AS {alias}", (), group
    column = policy.facet_columns.get(dotted)
    if column and column in policy.array_columns:
        group = (
            f"SELECT {index} AS facet, to_jsonb(v) AS id, count(*) AS n "
            f"FROM matching, unnest({alias}) AS v GROUP BY v"
        )
        return key, f"{column} AS {alias}", (), group
    if column:
        group = f"SELECT {index} AS facet, to_jsonb({alias}) AS id, count(*) AS n FROM matching GROUP BY {alias}"
        return key, f"{column} AS {alias}", (), group
    if path[0] in policy.array_fields and len(path) == 1:
        group = (
            f"SELECT {index} AS facet, v AS id, count(*) AS n FROM matching, "
            f"jsonb_array_elements(CASE jsonb_typeof({alias}) WHEN 'array' THEN {alias} "
            f"ELSE jsonb_build_array({alias}) END) AS v "
            f"WHERE {alias} IS NOT NULL AND {alias} <> 'null'::jsonb GROUP BY v"
        )
        return key, f"doc #> %s AS {alias}", (path,), group
    group = (
        f"SELECT {index} AS facet, CASE WHEN {alias} = 'null'::jsonb THEN NULL ELSE {alias} END "
        f"AS id, count(*) AS n FROM matching GROUP BY 2"
    )
    return key, f"doc #> %s AS {alias}", (path,), group


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
    plans = [_plan(policy, name, i) for i, name in enumerate(dict.fromkeys(facets))]
    planned = [plan for plan in plans if plan is not None]
    columns = ", ".join(["1 AS one", *(plan[1] for plan in planned)])
    column_params = tuple(p for plan in planned for p in plan[2])
    groups = [plan[3] for plan in planned]
    groups.append(f"SELECT {len(plans)} AS facet, NULL::jsonb AS id, count(*) AS n FROM matching")
    sql = (
        f"WITH matching AS MATERIALIZED (SELECT {columns} FROM {table} WHERE {where.text}) "
        + " UNION ALL ".join(groups)
    )
    keys = {index: plan[0] for index, plan in enumerate(plans) if plan is not None}
    result: dict[str, Any] = {key: [] for key in keys.values()}
    total = 0
    for row in conn.execute(sql, column_params + where.params):
        if row["facet"] == len(plans):
            total = int(row["n"])
        else:
            result[keys[row["facet"]]].append({"_id": row["id"], "count": int(row["n"])})
    for key, buckets in result.items():
        result[key] = sorted(buckets, key=_bucket_key, reverse=True)
    result["all"] = [{"totalSets": total}] if total else []
    return [result]
