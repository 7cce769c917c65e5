"""Reading jobs: filters, the v3 view, ``include`` of datasets and dataset details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from ..errors import bad_request
from ..filters import FieldPolicy, FilterError, FilterParser, Query, Sql
from ..resources import attachment_target
from ..store import Collection, Doc

DATASETS = Collection("datasets")
ORIGDATABLOCKS = Collection("origdatablocks")
DATABLOCKS = Collection("datablocks")
ATTACHMENTS = Collection("attachments")

# ``OutputJobDto``'s keys: the only field names a job filter may use (FilterValidationPipe).
JOB_KEYS = frozenset(
    {
        "type",
        "jobParams",
        "ownerUser",
        "ownerGroup",
        "contactEmail",
        "id",
        "statusCode",
        "statusMessage",
        "configVersion",
        "jobResultObject",
        "createdBy",
        "updatedBy",
        "createdAt",
        "updatedAt",
    }
)
FILTER_KEYS = {
    "where": (
        "where",
        "$in",
        "$or",
        "$and",
        "$nor",
        "$match",
        "$eq",
        "$gt",
        "$gte",
        "$lt",
        "$lte",
        "$ne",
        "$nin",
        "$not",
        "$exists",
        "$regex",
        "$options",
    ),
    "include": ("include",),
    "limits": ("limits", "limit", "skip", "sort"),
    "fields": ("fields",),
}
_FREE_FORM = frozenset({"scientificMetadata", "jobParameters", "jobParams", "jobResultObject"})
MANDATORY = ("_id", "id", "type", "ownerGroup", "ownerUser")
INCLUDE_ERROR = (
    "The 'include' filter must contain 'datasets' — it’s currently the only collection that "
    "can be merged. To include related data, add use Jobs/v4/datasetDetails endpoint"
)

# v3 names of job fields → stored (v4) paths.
V3_FIELDS = {
    "emailJobInitiator": "contactEmail",
    "creationTime": "createdAt",
    "jobStatusMessage": "statusCode",
    "executionTime": "jobParams.executionTime",
    "jobParams.username": "ownerUser",
    "datasetList": "jobParams.datasetList",
}
_V3_OPERATORS = {
    "inq": "$in",
    "nin": "$nin",
    "and": "$and",
    "or": "$or",
    "like": "$regex",
    "ilike": "$regex",
    "gte": "$gte",
    "lte": "$lte",
    "gt": "$gt",
    "lt": "$lt",
}

PARSER = FilterParser(FieldPolicy(renames={}), loopback=False)


def _flat_keys(value: Any, prefix: str = "") -> list[str]:
    """``flattenObject``'s keys: nested objects are walked, arrays and scalars are leaves."""
    if not isinstance(value, dict):
        return [prefix] if prefix else []
    keys: list[str] = []
    for key, inner in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        keys.extend(_flat_keys(inner, path) if isinstance(inner, dict) and inner else [path])
    return keys


def check_filter_keys(raw: Any, allowed_parts: Mapping[str, bool]) -> None:
    """Reject any filter path with a part that is neither a job field nor an allowed keyword."""
    allowed = set(JOB_KEYS)
    for part, enabled in allowed_parts.items():
        if enabled:
            allowed.update(FILTER_KEYS[part])
    for key in _flat_keys(raw):
        free = False
        for part in key.split("."):
            if part not in allowed and not free:
                raise bad_request(f"Property {key} should not exist in the filter object")
            free = free or part in _FREE_FORM


def check_include(raw: Any) -> None:
    include = raw.get("include") if isinstance(raw, dict) else None
    if include is None:
        return
    items = include if isinstance(include, list) else [include]
    if len(items) != 1 and not ("datasets" in items and "all" in items):
        raise bad_request(INCLUDE_ERROR)


def v3_to_v4_filter(raw: Any) -> Any:
    """The v3 pipes: loopback operators and v3 field names in ``where``, ``fields``, ``order``."""
    if not isinstance(raw, dict):
        return raw
    result = dict(raw)
    if "where" in raw:
        result["where"] = _rename(raw["where"])
    if isinstance(raw.get("fields"), list):
        result["fields"] = [V3_FIELDS.get(f, f) if isinstance(f, str) else f for f in raw["fields"]]
    return result


def _rename(value: Any) -> Any:
    if isinstance(value, list):
        return [_rename(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, inner in value.items():
        if key == "ilike":
            out["$options"] = "i"
        out[V3_FIELDS.get(key, _V3_OPERATORS.get(key, key))] = _rename(inner)
    return out


def parse_job_filter(raw: Any) -> Query:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise bad_request("filter must be a JSON object")
    limits = raw.get("limits") or {}
    try:
        query = PARSER.query(
            {k: v for k, v in raw.items() if k in ("where", "limits")}, default_limit=100
        )
        sort = limits.get("sort") if isinstance(limits, dict) else None
        order = PARSER.order(sort) if sort else Sql("doc->>'createdAt' ASC, seq")
    except FilterError as error:
        raise bad_request(str(error)) from error
    fields = raw.get("fields")
    if fields is not None and (
        not isinstance(fields, list) or not all(isinstance(f, str) for f in fields)
    ):
        raise bad_request("fields must be an array of field names")
    include = raw.get("include") or []
    include = include if isinstance(include, list) else [include]
    return Query(
        query.where, fields or None, order, query.limit, query.skip, [str(i) for i in include]
    )


# -- projection -----------------------------------------------------------------------


def project(doc: Any, fields: list[str]) -> Any:
    """MongoDB-style inclusion projection; dotted paths reach into arrays of objects."""
    if isinstance(doc, list):
        return [project(item, fields) for item in doc]
    if not isinstance(doc, dict):
        return doc
    tree: dict[str, list[str]] = {}
    for name in fields:
        head, _, rest = name.partition(".")
        tree.setdefault(head, [])
        if rest:
            tree[head].append(rest)
    out: dict[str, Any] = {}
    for head, rests in tree.items():
        if head in doc:
            out[head] = project(doc[head], rests) if rests and "" not in rests else doc[head]
    return out


def finish(job: Doc, fields: list[str] | None) -> Doc:
    """Apply ``fields``: mandatory fields are read for the access check, then dropped."""
    job = {k: v for k, v in job.items() if k != "datasetIds"}
    if fields:
        return project(job, fields)
    # scicat-sdk-py's PartialOutputJobDto requires both lists; upstream omits them
    # when nothing was included, which the SDK cannot parse.
    job.setdefault("datasets", [])
    job.setdefault("datasetDetails", [])
    return job


# -- includes -------------------------------------------------------------------------


def _pids(job: Doc) -> list[str]:
    entries = (job.get("jobParams") or {}).get("datasetList")
    if not isinstance(entries, list):
        return []
    return [e.get("pid") for e in entries if isinstance(e, dict) and isinstance(e.get("pid"), str)]


def add_includes(conn: psycopg.Connection, job: Doc, include: list[str], visible: Sql) -> Doc:
    """``datasets``/``all``: the job's datasets; ``datasetDetails``: with their blocks and
    attachments. Only datasets (and children) the caller may read are joined."""
    names = set(include)
    if "all" in names:
        names = {"datasets"}
    if not names & {"datasets", "datasetDetails"}:
        return job
    datasets = DATASETS.find(conn, Sql("id = ANY(%s::text[])", (_pids(job),)) & visible)
    if "datasets" in names:
        job["datasets"] = datasets
    if "datasetDetails" in names:
        details = []
        for dataset in datasets:
            pid = dataset["pid"]
            detail = dict(dataset)
            detail["origdatablocks"] = ORIGDATABLOCKS.find(
                conn, Sql("dataset_id = %s", (pid,)) & visible
            )
            detail["datablocks"] = DATABLOCKS.find(
                conn, Sql("doc->>'datasetId' = %s", (pid,)) & visible
            )
            detail["attachments"] = ATTACHMENTS.find(
                conn, attachment_target("dataset", pid) & visible
            )
            details.append(detail)
        job["datasetDetails"] = details
    return job


# -- v3 view --------------------------------------------------------------------------


def to_v3(job: Mapping[str, Any]) -> Doc:
    """``OutputJobV3Dto``: v3 names mapped from the stored job; absent values are omitted."""
    params = dict(job.get("jobParams") or {})
    v3_params = {k: v for k, v in params.items() if k not in ("executionTime", "datasetList")}
    if job.get("ownerUser") is not None:
        v3_params = {"username": job["ownerUser"], **v3_params}
    out = {
        "_id": job.get("_id"),
        "id": job.get("id"),
        "emailJobInitiator": job.get("contactEmail"),
        "type": job.get("type"),
        "creationTime": job.get("createdAt"),
        "executionTime": params.get("executionTime"),
        "jobParams": v3_params,
        "jobStatusMessage": job.get("statusCode"),
        # v3 jobs always had one; the SDK's OutputJobV3Dto requires it (upstream omits it)
        "datasetList": params.get("datasetList", []),
        "jobResultObject": job.get("jobResultObject"),
    }
    return {k: v for k, v in out.items() if v is not None}
