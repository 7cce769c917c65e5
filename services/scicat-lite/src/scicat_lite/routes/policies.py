"""``/api/v3/policies`` (``src/policies/policies.controller.ts`` at v5.2.1).

Access is v5.2.1's if/else: DELETE_GROUPS members may only delete (even when they are
admins too); ADMIN_GROUPS and POLICY_GROUPS members create, read and update; nobody else
gets in (403). Missing documents answer 200 with an empty body, as the backend does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..auth import User
from ..checks import check_body
from ..deps import AppContext, Body, Connection, Context, CurrentUser, filter_param, path_id
from ..errors import bad_request, forbidden, http_error
from ..filters import FieldPolicy, FilterError, FilterParser, parse_json
from ..history import record_delete
from ..policies import POLICIES, POLICY_FIELDS, add_default_policy, new_policy, policy_of
from ..resources import update_tracked
from ..store import project

router = APIRouter(prefix="/api/v3/policies", tags=["policies"])
PARSER = FilterParser(FieldPolicy(renames={"id": "_id"}))
DEFAULT_LIMIT = 100


def _role(ctx: AppContext, user: User | None) -> str:
    groups = ctx.settings.groups
    if user is None:
        return "none"
    if groups.delete & set(user.groups):
        return "delete"
    if (groups.admin | groups.policy) & set(user.groups):
        return "manage"
    return "none"


def _manager(ctx: AppContext, user: User | None) -> User:
    if _role(ctx, user) != "manage":
        raise forbidden()
    assert user is not None
    return user


def _empty() -> Response:
    return Response(status_code=200)


@router.post("", status_code=201)
def create(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, Any]:
    manager = _manager(ctx, user)
    return POLICIES.insert(conn, new_policy(check_body(POLICY_FIELDS, body), manager.username))


@router.get("")
def find_all(
    ctx: Context, user: CurrentUser, conn: Connection, request: Request
) -> list[dict[str, Any]]:
    _manager(ctx, user)
    raw = filter_param(request) or {}
    if not isinstance(raw, dict):
        raise bad_request("filter must be a JSON object")
    limits = {k: raw[k] for k in ("limit", "skip", "order") if k in raw}
    limits.setdefault("limit", DEFAULT_LIMIT)
    query = PARSER.query(
        {"where": raw.get("where"), "fields": raw.get("fields"), "limits": limits},
        default_limit=DEFAULT_LIMIT,
    )
    docs = POLICIES.find(conn, query.where, order=query.order, limit=query.limit, skip=query.skip)
    return [project(d, query.fields) for d in docs]


@router.get("/count")
def count(ctx: Context, user: CurrentUser, conn: Connection, request: Request) -> dict[str, int]:
    _manager(ctx, user)
    try:
        where = parse_json(request.query_params.get("where"), "where")
        return {"count": POLICIES.count(conn, PARSER.where(where))}
    except FilterError as error:
        raise bad_request(str(error)) from error


@router.post("/updateWhere", status_code=200)
def update_where(ctx: Context, user: CurrentUser, conn: Connection, body: Body) -> dict[str, str]:
    """Create missing default policies for the listed groups, then update each group's policy.

    Users with an external identity must be one of the policy's managers; functional
    accounts may update any policy.
    """
    manager = _manager(ctx, user)
    if not isinstance(body, dict):
        raise bad_request(["an instance of an object is expected"])
    unknown = [
        f"property {k} should not exist" for k in body if k not in ("ownerGroupList", "data")
    ]
    problems = unknown + [
        message
        for key, kind, message in (
            ("ownerGroupList", str, "ownerGroupList must be a string"),
            ("data", dict, "data must be an object"),
        )
        if body.get(key) is not None and not isinstance(body[key], kind)
    ]
    if problems:
        raise bad_request(problems)
    group_list = body.get("ownerGroupList")
    if not group_list:
        # upstream throws a 500 here; a missing parameter is the caller's mistake
        raise bad_request("Invalid ownerGroupList parameter")
    data = check_body(POLICY_FIELDS, body.get("data") or {}, partial=True)
    for group in (g.strip().replace('"', "") for g in group_list.split(",")):
        add_default_policy(conn, group, [], manager.email, "low", manager.username)
        policy = policy_of(conn, group)
        assert policy is not None
        if manager.auth_strategy != "local" and manager.email not in (policy.get("manager") or []):
            raise http_error(401, "User not authorised for action based on policy")
        update_tracked(ctx, conn, POLICIES, "Policy", policy, data, manager.username)
    return {"message": "successful policy update"}


@router.get("/{policy_id}", response_model=None)
def find_one(ctx: Context, user: CurrentUser, conn: Connection, policy_id: str) -> Any:
    _manager(ctx, user)
    return POLICIES.get(conn, path_id(policy_id)) or _empty()


@router.patch("/{policy_id}", response_model=None)
def update(ctx: Context, user: CurrentUser, conn: Connection, policy_id: str, body: Body) -> Any:
    manager = _manager(ctx, user)
    changes = check_body(POLICY_FIELDS, body, partial=True)
    policy = POLICIES.get(conn, path_id(policy_id), lock=True)
    if policy is None:
        return _empty()
    return update_tracked(ctx, conn, POLICIES, "Policy", policy, changes, manager.username)


@router.delete("/{policy_id}", response_model=None)
def remove(ctx: Context, user: CurrentUser, conn: Connection, policy_id: str) -> Any:
    if _role(ctx, user) != "delete":
        raise forbidden()
    deleted = POLICIES.delete(conn, path_id(policy_id))
    if deleted is None:
        return _empty()
    record_delete(ctx, conn, "Policy", deleted, user.username if user else None)
    return deleted
