"""``/api/v3/users``: users, their identity and settings, tokens, passwords, legacy login.

Every route except ``jwt`` and ``login`` needs a signed-in caller (401 ``Unauthenticated``);
users act on their own id, ``ADMIN_GROUPS`` on any (403 ``Access Forbidden or
Unauthorized``). Unknown ids answer 200 with an empty body, as upstream returns null.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..auth import User, duration_seconds
from ..deps import AppContext, Body, Connection, Context, CurrentUser, Router, path_id
from ..dto_users import (
    AdminUpdatePassword,
    CreateUserSettings,
    CustomJwt,
    UpdatePassword,
    UserSettingsFields,
)
from ..errors import bad_request, forbidden, unauthenticated
from ..identity import store
from ..identity.ids import is_object_id
from ..identity.logins import local_login
from ..identity.passwords import hash_password, verify_password
from ..validation import validate
from .auth import logout_body

router = Router(prefix="/api/v3/users", tags=["users"])
DENIED = "Access Forbidden or Unauthorized"


def _signed_in(user: User | None) -> User:
    if user is None:
        raise unauthenticated()
    return user


def _on(ctx: AppContext, user: User | None, target: str) -> User:
    """The caller, if they may act on user ``target`` (themselves, or anyone as admin)."""
    caller = _signed_in(user)
    if caller.id != target and not ctx.access.is_admin(caller):
        raise forbidden(DENIED)
    return caller


def _admin(ctx: AppContext, user: User | None) -> User:
    caller = _signed_in(user)
    if not ctx.access.is_admin(caller):
        raise forbidden()
    return caller


def _or_empty(doc: dict[str, Any] | None) -> dict[str, Any] | Response:
    return doc if doc is not None else Response(status_code=200)


def _user(conn: Connection, user_id: str) -> dict[str, Any] | None:
    doc = store.user_by_id(conn, user_id)
    return store.public_user(doc) if doc else None


@router.post("/jwt", status_code=201)
def jwt(ctx: Context, user: CurrentUser) -> dict[str, str]:
    """Not a login token: ``{username, groups}`` of the caller, or of ``anonymous``."""
    if user is None:
        payload: dict[str, Any] = {"username": "anonymous", "groups": ["public"]}
    else:
        payload = {"username": user.id, "groups": list(user.groups)}
    return {"jwt": ctx.tokens.sign(payload)}


@router.get("")
def find_all(ctx: Context, user: CurrentUser, conn: Connection) -> list[dict[str, Any]]:
    caller = _signed_in(user)
    if ctx.access.is_admin(caller):
        return [store.public_user(doc) for doc in store.all_users(conn)]
    own = _user(conn, caller.id)
    return [own] if own else []


@router.post("/password", status_code=200)
def change_own_password(
    ctx: Context, user: CurrentUser, conn: Connection, body: Body
) -> dict[str, str]:
    caller = _signed_in(user)
    fields = validate(UpdatePassword, body)
    if fields["newPassword"] != fields["confirmPassword"]:
        raise bad_request("New password and confirmation password do not match")
    found = store.find_user(conn, [("username", caller.username)])
    if found is None or not verify_password(fields["currentPassword"], found.get("password")):
        raise bad_request("Current password is incorrect")
    if found.get("authStrategy") != "local":
        raise forbidden("Only local users are allowed to change password")
    store.update_user(conn, caller.id, {"password": hash_password(fields["newPassword"])})
    return {"message": "Password updated successfully"}


@router.post("/login", status_code=201, response_model=None)
def legacy_login(ctx: Context, conn: Connection, body: Body, request: Request) -> Response:
    """Deprecated: checks the credentials like ``/auth/login`` but answers with no body."""
    source = body if isinstance(body, dict) else {}
    local_login(
        conn,
        source.get("username", request.query_params.get("username")),
        source.get("password", request.query_params.get("password")),
        ctx.groups,
    )
    return Response(status_code=201)


@router.post("/logout", status_code=200)
def logout(ctx: Context, user: CurrentUser) -> dict[str, str]:
    return logout_body(ctx, user)


@router.get("/my/self", response_model=None)
def my_self(user: CurrentUser, conn: Connection) -> dict[str, Any] | Response:
    return _or_empty(_user(conn, _signed_in(user).id))


@router.get("/my/identity", response_model=None)
def my_identity(user: CurrentUser, conn: Connection) -> dict[str, Any] | Response:
    return _or_empty(store.identity_of(conn, _signed_in(user).id))


@router.get("/my/settings", response_model=None)
def my_settings(user: CurrentUser, conn: Connection) -> dict[str, Any] | Response:
    return _or_empty(store.lean_settings(store.settings_of(conn, _signed_in(user).id)))


@router.get("/{user_id}", response_model=None)
def find_by_id(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str
) -> dict[str, Any] | Response:
    target = path_id(user_id)
    _on(ctx, user, target)
    return _or_empty(_user(conn, target))


@router.patch("/{user_id}/password", status_code=200)
def change_password(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str, body: Body
) -> dict[str, str]:
    _admin(ctx, user)
    target = path_id(user_id)
    fields = validate(AdminUpdatePassword, body)
    if fields["newPassword"] != fields["confirmPassword"]:
        raise bad_request("New password and confirmation password do not match")
    if not is_object_id(target):
        raise bad_request(
            f'Cast to ObjectId failed for value "{target}" (type string) at path "_id" '
            'for model "User"'
        )
    found = store.user_by_id(conn, target)
    if found is not None and found.get("authStrategy") != "local":
        raise forbidden("Only local users passwords can be changed by admin")
    if found is not None:
        store.update_user(conn, target, {"password": hash_password(fields["newPassword"])})
    return {"message": f"Password updated successfully for userId: {target}"}


@router.get("/{user_id}/userIdentity", response_model=None)
def user_identity(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str
) -> dict[str, Any] | Response:
    target = path_id(user_id)
    _on(ctx, user, target)
    return _or_empty(store.identity_of(conn, target))


@router.get("/{user_id}/authorization/dataset/create")
def can_create_dataset(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str
) -> dict[str, bool]:
    """Whether the user, with the groups of their identity, may create datasets."""
    target = path_id(user_id)
    _on(ctx, user, target)
    identity = store.identity_of(conn, target)
    if identity is None:
        return {"authorization": False}
    profile = identity.get("profile") or {}
    viewed = User(
        id=str(profile.get("id") or ""),
        username=str(profile.get("username") or ""),
        email=str(profile.get("email") or ""),
        groups=tuple(g for g in profile.get("accessGroups") or [] if isinstance(g, str)),
    )
    return {"authorization": ctx.access.may_use_dataset_create_endpoint(viewed)}


# -- settings -------------------------------------------------------------------------


@router.post("/{user_id}/settings", status_code=201)
def create_settings(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str, body: Body
) -> dict[str, Any]:
    target = path_id(user_id)
    _on(ctx, user, target)
    fields = validate(CreateUserSettings, body)
    fields.pop("userId", None)
    return store.create_settings(conn, target, fields)


@router.get("/{user_id}/settings", response_model=None)
def get_settings(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str
) -> dict[str, Any] | Response:
    target = path_id(user_id)
    _on(ctx, user, target)
    return _or_empty(store.lean_settings(store.settings_of(conn, target)))


@router.put("/{user_id}/settings", response_model=None)
def replace_settings(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str, body: Body
) -> dict[str, Any] | Response:
    target = path_id(user_id)
    _on(ctx, user, target)
    fields = validate(UserSettingsFields, body)
    return _or_empty(store.set_settings(conn, target, fields, upsert=True))


@router.patch("/{user_id}/settings", response_model=None)
def patch_settings(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str, body: Body
) -> dict[str, Any] | Response:
    target = path_id(user_id)
    _on(ctx, user, target)
    fields = validate(UserSettingsFields, body)
    return _or_empty(store.set_settings(conn, target, fields, upsert=False))


@router.patch("/{user_id}/settings/external", response_model=None)
def patch_external_settings(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str, body: Body
) -> dict[str, Any] | Response:
    """Any JSON object: each key is set inside ``externalSettings``."""
    target = path_id(user_id)
    _on(ctx, user, target)
    values = body if isinstance(body, dict) else {}
    return _or_empty(store.set_external_settings(conn, target, values))


@router.delete("/{user_id}/settings", response_model=None)
def delete_settings(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str
) -> dict[str, Any] | Response:
    target = path_id(user_id)
    _on(ctx, user, target)
    return _or_empty(store.delete_settings(conn, target))


@router.post("/{user_id}/jwt", status_code=201, response_model=None)
def custom_jwt(
    ctx: Context, user: CurrentUser, conn: Connection, user_id: str, body: Body
) -> dict[str, str] | Response:
    """Admins sign a token for any user; ``expiresIn: "never"`` lasts ``JWT_NEVER_EXPIRES``."""
    _admin(ctx, user)
    expires = validate(CustomJwt, body).get("expiresIn")
    found = _user(conn, path_id(user_id))
    if found is None:
        return Response(status_code=201)
    if expires == "never":
        expires = ctx.settings.jwt_never_expires
    try:
        if expires and expires.isdigit():
            seconds = int(expires)
        elif expires:
            seconds = duration_seconds(expires)
        else:
            seconds = ctx.tokens.expires_in
    except ValueError as error:
        raise bad_request(str(error)) from error
    return {"jwt": ctx.tokens.sign(found, expires_in=seconds)}
