"""``/api/v4/publisheddata`` (``published-data.v4.controller.ts`` at v5.2.1).

Reading is open: anonymous callers see registered records in lists and public,
registered or amended ones by DOI; signed-in users also their own private records;
ADMIN_GROUPS everything. Changing needs a signed-in caller (401), and non-admins may only
touch their own private records; registered and amended records are frozen except for
``amend``. Deleting needs DELETE_GROUPS.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..auth import User
from ..checks import check_body
from ..deps import AppContext, Body, Connection, Context, CurrentUser, path_id
from ..errors import ApiError, bad_request, forbidden, not_found, unauthenticated
from ..filters import FieldPolicy, FilterError, FilterParser, Sql, parse_json
from ..history import record_delete, record_update
from ..published_data import PUBLISHED_DATA, V4_FIELDS, load_config, metadata_errors, new_record
from ..resources import ATTACHMENTS, DATASETS, PROPOSALS, attachment_target, touch, writable_dataset
from ..store import project
from ..timeutil import now_iso

router = APIRouter(prefix="/api/v4/publisheddata", tags=["published data v4"])
PARSER = FilterParser(FieldPolicy(renames={"id": "_id"}), loopback=True)
VISIBLE_STATUSES = ("public", "registered", "amended")


def is_admin(ctx: AppContext, user: User | None) -> bool:
    return user is not None and bool(ctx.settings.groups.admin & set(user.groups))


def signed_in(user: User | None) -> User:
    if user is None:
        raise unauthenticated()
    return user


def message(status: int, text: str) -> ApiError:
    """``new HttpException("text", status)``: the body is the bare JSON string."""
    return ApiError(status, text)


def list_scope(ctx: AppContext, user: User | None) -> Sql:
    if is_admin(ctx, user):
        return Sql("TRUE")
    if user is None:
        return Sql("doc->>'status' = 'registered'")
    return Sql(
        "(doc->>'status' = ANY(%s::text[]) OR (doc->>'status' = 'private' AND doc->>'createdBy' = %s))",
        (list(VISIBLE_STATUSES), user.username),
    )


def record_scope(ctx: AppContext, user: User | None) -> Sql:
    if is_admin(ctx, user):
        return Sql("TRUE")
    return Sql(
        "(doc->>'status' = ANY(%s::text[]) OR doc->>'createdBy' = %s)",
        (list(VISIBLE_STATUSES), user.username if user else None),
    )


def find_visible(
    ctx: AppContext, conn: Connection, user: User | None, doi: str
) -> dict[str, Any] | None:
    found = PUBLISHED_DATA.find(conn, Sql("id = %s", (doi,)) & record_scope(ctx, user), limit=1)
    return found[0] if found else None


def _json(request: Request, name: str) -> Any:
    try:
        return parse_json(request.query_params.get(name), name)
    except FilterError as error:
        raise bad_request(str(error)) from error


def _query(request: Request) -> tuple[Sql, list[str] | None, Any]:
    raw = _json(request, "filter") or {}
    fields = _json(request, "fields") or {}
    if not isinstance(raw, dict) or not isinstance(fields, dict):
        raise bad_request("filter and fields must be JSON objects")
    where = raw.get("where") or {}
    extra = Sql("TRUE")
    conditions = dict(fields)
    text = conditions.pop("text", None)
    if text:
        extra = Sql("doc::text ILIKE %s", (f"%{str(text).strip()}%",))
    if conditions:
        where = {"and": [conditions, where]} if where else conditions
    limits = raw.get("limits") or _json(request, "limits") or {}
    query = PARSER.query(
        {"where": where, "fields": raw.get("fields"), "limits": limits}, default_limit=100
    )
    return query.where & extra, query.fields, query


@router.get("/config")
def get_config(ctx: Context) -> Any:
    return load_config(ctx.settings)


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    if user is None:
        raise forbidden()
    record = new_record(ctx.settings, check_body(V4_FIELDS, body), user.username)
    return PUBLISHED_DATA.insert(conn, record)


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    where, fields, query = _query(request)
    docs = PUBLISHED_DATA.find(
        conn, list_scope(ctx, user) & where, order=query.order, limit=query.limit, skip=query.skip
    )
    return [project(d, fields) for d in docs]


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    where, _, _ = _query(request)
    return {"count": PUBLISHED_DATA.count(conn, list_scope(ctx, user) & where)}


def form_populate(
    conn: Connection, pids: list[str], config: dict[str, Any] | None
) -> dict[str, Any]:
    """Title and abstract from the first dataset's first proposal, type and description from
    the dataset, a thumbnail from its attachment; v4 adds the metadata defaults."""
    form: dict[str, Any] = {}
    dataset = DATASETS.get(conn, pids[0]) if pids else None
    proposal = None
    if dataset is not None:
        form["resourceType"] = dataset.get("type")
        form["description"] = dataset.get("description")
        if dataset.get("proposalIds"):
            proposal = PROPOSALS.get(conn, dataset["proposalIds"][0])
    if proposal is not None:
        form["title"] = proposal.get("title")
        form["abstract"] = proposal.get("abstract")
    if pids:
        attachments = ATTACHMENTS.find(conn, attachment_target("dataset", pids[0]), limit=1)
        if attachments:
            form["thumbnail"] = attachments[0].get("thumbnail")
    if config is not None:
        record: dict[str, Any] = {"datasetPids": pids, "metadata": {}}
        metadata_errors(config, record)
        form["metadata"] = record["metadata"]
    return {k: v for k, v in form.items() if v is not None}


@router.get("/formpopulate")
def formpopulate(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> dict[str, Any]:
    if user is None:
        raise forbidden()
    return form_populate(conn, request.query_params.getlist("pid"), load_config(ctx.settings))


def _visible_or_404(
    ctx: AppContext, conn: Connection, user: User | None, doi: str, text: str
) -> dict[str, Any]:
    record = find_visible(ctx, conn, user, doi)
    if record is None:
        raise not_found(text)
    return record


def _frozen_check(ctx: AppContext, user: User, record: dict[str, Any], doi: str, verb: str) -> None:
    if is_admin(ctx, user):
        if record.get("status") in ("registered", "amended"):
            raise message(
                400,
                f"Published data with id {doi} is already registered or amended. "
                f"It cannot be {verb}.",
            )
    elif record.get("status") != "private":
        action = "resynced" if verb in ("updated", "resynced") else verb
        raise message(400, f"Published data can only be {action} if it is in private state.")


def save(
    ctx: AppContext, conn: Connection, before: dict[str, Any], changes: dict[str, Any], user: User
) -> dict[str, Any]:
    record = copy.deepcopy(before)
    record.update({**changes, "updatedBy": user.username, "updatedAt": now_iso()})
    PUBLISHED_DATA.replace(conn, record)
    record_update(ctx, conn, "PublishedData", before, record, user.username)
    return record


@router.get("/{doi}")
def find_one(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    return _visible_or_404(
        ctx, conn, user, path_id(doi), f"Published data with doi {path_id(doi)} not found."
    )


@router.patch("/{doi}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, doi: str, body: Body
) -> dict[str, Any]:
    caller, key = signed_in(user), path_id(doi)
    changes = check_body(V4_FIELDS, body, partial=True)
    record = _visible_or_404(ctx, conn, caller, key, f"Published data with id {key} not found.")
    _frozen_check(ctx, caller, record, key, "updated")
    return save(ctx, conn, record, changes, caller)


def mark_datasets(
    ctx: AppContext, conn: Connection, user: User, pids: list[str], when: str | None
) -> None:
    """Publish the record's datasets through the dataset update rules (404/403 as there)."""
    for pid in pids:
        dataset = writable_dataset(ctx, conn, user, pid, lock=True)
        before = copy.deepcopy(dataset)
        dataset["isPublished"] = True
        if when is not None:
            dataset["datasetlifecycle"] = {
                **(dataset.get("datasetlifecycle") or {}),
                "publishedOn": when,
            }
        DATASETS.replace(conn, touch(dataset, user.username))
        record_update(ctx, conn, "Dataset", before, dataset, user.username)


@router.post("/{doi}/publish", status_code=201)
def publish(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    caller, key = signed_in(user), path_id(doi)
    record = _visible_or_404(ctx, conn, caller, key, f"Published data with id {key} not found.")
    if record.get("status") != "private":
        raise message(400, "Published data can only be published if it is in private state.")
    errors = metadata_errors(load_config(ctx.settings), copy.deepcopy(record))
    if errors:
        raise ApiError(400, errors)
    mark_datasets(ctx, conn, caller, list(record.get("datasetPids") or []), None)
    return save(ctx, conn, record, {"status": "public"}, caller)


@router.post("/{doi}/register", status_code=201)
def register(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    """Register the DOI minted at creation: never sent to DataCite (REGISTER_DOI_URI is
    not used), the record and its datasets are marked as upstream marks them."""
    caller, key = signed_in(user), path_id(doi)
    record = _visible_or_404(ctx, conn, caller, key, f"Published data with id {key} not found.")
    registered_time = now_iso()
    candidate = {**copy.deepcopy(record), "status": "registered", "registeredTime": registered_time}
    errors = metadata_errors(load_config(ctx.settings), candidate)
    if errors:
        raise ApiError(400, errors)
    mark_datasets(ctx, conn, caller, list(record.get("datasetPids") or []), registered_time)
    return save(ctx, conn, record, {"status": "registered", "registeredTime": now_iso()}, caller)


@router.post("/{doi}/amend", status_code=201)
def amend(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    caller, key = signed_in(user), path_id(doi)
    if not is_admin(ctx, caller):
        raise message(403, "Only admin users can amend published data.")
    record = PUBLISHED_DATA.get(conn, key, lock=True)
    if record is None:
        raise not_found(f"Published data with id {key} not found.")
    if record.get("status") != "registered":
        raise message(400, "Published data can only be amended if it is in registered state.")
    return save(ctx, conn, record, {"status": "amended"}, caller)


@router.post("/{doi}/resync", status_code=201, response_model=None)
def resync(ctx: Context, user: CurrentUser, conn: Connection, doi: str, body: Body) -> Response:
    """Update the record; with no OAI provider (never contacted here) the answer is empty."""
    caller, key = signed_in(user), path_id(doi)
    changes = check_body(V4_FIELDS, body, partial=True)
    record = _visible_or_404(ctx, conn, caller, key, f"Published data with id {key} not found.")
    _frozen_check(ctx, caller, record, key, "resynced")
    save(ctx, conn, record, changes, caller)
    return Response(status_code=201)


@router.delete("/{doi}")
def remove(ctx: Context, user: CurrentUser, conn: Connection, doi: str) -> dict[str, Any]:
    caller, key = signed_in(user), path_id(doi)
    if not ctx.settings.groups.delete & set(caller.groups):
        raise forbidden()
    record = PUBLISHED_DATA.get(conn, key)
    if record is None:
        raise not_found(f"Published data with id {key} not found.")
    _frozen_check(ctx, caller, record, key, "removed")
    PUBLISHED_DATA.delete(conn, key)
    record_delete(ctx, conn, "PublishedData", record, caller.username)
    return record
