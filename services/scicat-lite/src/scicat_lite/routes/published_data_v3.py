"""``/api/v3/publisheddata``: the deprecated v3 API over the same v4 records
(``published-data.controller.ts`` at v5.2.1).

v3 bodies are checked against the v3 DTO and mapped onto v4 fields; answers are the
``PublishedDataObsoleteDto`` view. Anonymous callers see registered records only; signed-in
callers see everything and may change anything (upstream's v3 has no status or ownership
rules). ``register`` marks the datasets published without a dataset permission check, as
upstream; it does not call DataCite (upstream PUTs to REGISTER_METADATA_URI and
REGISTER_DOI_URI_V3) and answers ``{doi}``.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..checks import check_body
from ..deps import Body, Connection, Context, CurrentUser, path_id
from ..errors import bad_request, forbidden, http_error, not_found
from ..filters import FieldPolicy, FilterError, FilterParser, Sql, parse_json
from ..history import record_delete, record_update
from ..published_data import (
    PUBLISHED_DATA,
    V3_FIELDS,
    V3_FILTER_NAMES,
    new_record,
    to_v3,
    v3_to_v4,
)
from ..resources import DATASETS, touch
from ..store import project
from ..timeutil import now_iso
from .published_data_v4 import form_populate, save

router = APIRouter(prefix="/api/v3/publisheddata", tags=["published data"])
PARSER = FilterParser(FieldPolicy(renames={**V3_FILTER_NAMES, "id": "_id"}))


def _scope(user: Any) -> Sql:
    return Sql("TRUE") if user is not None else Sql("doc->>'status' = 'registered'")


def _filter(request: Request) -> Any:
    raw = request.query_params.get("filter") or request.headers.get("filter")
    try:
        parsed = parse_json(raw, "filter")
    except FilterError as error:
        raise bad_request(str(error)) from error
    if parsed is not None and not isinstance(parsed, dict):
        raise bad_request("filter must be a JSON object")
    return parsed or {}


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    if user is None:
        raise forbidden()
    fields = v3_to_v4(check_body(V3_FIELDS, body))
    record = new_record(ctx.settings, fields, user.username)
    if "doi" in fields:  # a v3 client may bring its own DOI
        record["_id"] = record["doi"] = fields["doi"]
    return to_v3(PUBLISHED_DATA.insert(conn, record))


@router.get("")
def find_all(user: CurrentUser, conn: Connection, request: Request) -> list[dict[str, Any]]:
    raw = _filter(request)
    limits = raw.get("limits") or {k: raw[k] for k in ("limit", "skip", "order") if k in raw}
    try:
        query = PARSER.query({"where": raw.get("where"), "limits": limits}, default_limit=100)
    except FilterError as error:
        raise bad_request(str(error)) from error
    docs = PUBLISHED_DATA.find(
        conn, _scope(user) & query.where, order=query.order, limit=query.limit, skip=query.skip
    )
    fields = raw.get("fields")
    wanted = [k for k, v in fields.items() if v] if isinstance(fields, dict) else fields
    return [
        project(to_v3(d), wanted if isinstance(wanted, list) and wanted else None) for d in docs
    ]


@router.get("/count")
def count(user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    raw = _filter(request)
    try:
        where = PARSER.where(raw.get("where"))
    except FilterError as error:
        raise bad_request(str(error)) from error
    return {"count": PUBLISHED_DATA.count(conn, _scope(user) & where)}


@router.get("/formpopulate")
def formpopulate(user: CurrentUser, conn: Connection, request: Request) -> dict[str, Any]:
    if user is None:
        raise forbidden()
    pid = request.query_params.get("pid")
    return form_populate(conn, [pid] if pid else [], None)


@router.get("/{doi}")
def find_one(user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    key = path_id(doi)
    found = PUBLISHED_DATA.find(conn, Sql("id = %s", (key,)) & _scope(user), limit=1)
    if not found:
        raise not_found(f"No PublishedData with the id '{key}' exists")
    return to_v3(found[0])


@router.patch("/{doi}", response_model=None)
def update(ctx: Context, user: CurrentUser, conn: Connection, doi: str, body: Body) -> Any:
    if user is None:
        raise forbidden()
    changes = v3_to_v4(check_body(V3_FIELDS, body, partial=True))
    record = PUBLISHED_DATA.get(conn, path_id(doi), lock=True)
    if record is None:
        return Response(status_code=200)
    return to_v3(save(ctx, conn, record, changes, user))


@router.delete("/{doi}")
def remove(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    if user is None or not ctx.settings.groups.delete & set(user.groups):
        raise forbidden()
    record = PUBLISHED_DATA.delete(conn, path_id(doi))
    if record is None:
        raise http_error(404)
    record_delete(ctx, conn, "PublishedData", record, user.username)
    return to_v3(record)


@router.post("/{doi}/register", status_code=201)
def register(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, str]:
    if user is None:
        raise forbidden()
    record = PUBLISHED_DATA.get(conn, path_id(doi), lock=True)
    if record is None:
        raise http_error(404)
    registered_time = now_iso()
    for pid in record.get("datasetPids") or []:
        dataset = DATASETS.get(conn, pid, lock=True)
        if dataset is None:
            continue
        before = copy.deepcopy(dataset)
        dataset["isPublished"] = True
        dataset["datasetlifecycle"] = {
            **(dataset.get("datasetlifecycle") or {}),
            "publishedOn": registered_time,
        }
        DATASETS.replace(conn, touch(dataset, user.username))
        record_update(ctx, conn, "Dataset", before, dataset, user.username)
    save(ctx, conn, record, {"status": "registered", "registeredTime": registered_time}, user)
    return {"doi": record["doi"]}


@router.post("/{doi}/resync", status_code=201, response_model=None)
def resync(ctx: Context, user: CurrentUser, conn: Connection, doi: str, body: Body) -> Response:
    if user is None:
        raise forbidden()
    changes = v3_to_v4(check_body(V3_FIELDS, body))
    record = PUBLISHED_DATA.get(conn, path_id(doi), lock=True)
    if record is not None:
        save(ctx, conn, record, changes, user)
    return Response(status_code=201)
