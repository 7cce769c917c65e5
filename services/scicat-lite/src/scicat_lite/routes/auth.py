"""``/api/v3/auth``: local, LDAP and OIDC logins, whoami and logout."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..deps import AppContext, Body, Connection, Context, CurrentUser, Router
from ..dto_users import IdToken
from ..errors import (
    ApiError,
    bad_request,
    http_error,
    internal_error,
    login_failed,
    plain_http_exception,
)
from ..identity.failures import (
    LdapMisconfigured,
    LdapRejected,
    LdapUnavailable,
    OidcError,
    OidcUnavailable,
)
from ..identity.logins import ldap_login, local_login, oidc_login
from ..identity.oidc import (
    OidcProvider,
    profile_from_claims,
    user_query,
)
from ..identity.session import COOKIE
from ..validation import validate

log = logging.getLogger(__name__)
router = Router(prefix="/api/v3/auth", tags=["auth"])


def _credentials(request: Request, body: Any) -> tuple[Any, Any]:
    """passport's field lookup: the body first, then the query string."""
    source = body if isinstance(body, dict) else {}
    username = source.get("username", request.query_params.get("username"))
    password = source.get("password", request.query_params.get("password"))
    return username, password


def _issue(ctx: AppContext, user: dict[str, Any]) -> dict[str, Any]:
    ctx.callers.cache.invalidate(user["_id"])
    return ctx.tokens.login_response(user)


@router.post("/login", status_code=201)
def login(ctx: Context, conn: Connection, body: Body, request: Request) -> dict[str, Any]:
    username, password = _credentials(request, body)
    return _issue(ctx, local_login(conn, username, password, ctx.groups))


def ldap_user(ctx: AppContext, conn: Connection, request: Request, body: Any) -> dict[str, Any]:
    """passport-ldapauth, then upstream's LDAP strategy: the user record to sign."""
    username, password = _credentials(request, body)
    if not username or not password:
        raise login_failed()  # "Missing credentials"
    if ctx.ldap is None:
        # Upstream fails here with ldapauth-fork's assertion "LDAP server URL not
        # defined" (a 500); no request may answer 5xx here, so it is a refused login.
        raise login_failed()
    try:
        entry = ctx.ldap.authenticate(str(username), str(password))
    except LdapRejected as error:
        raise login_failed() from error
    except LdapUnavailable as error:
        log.warning("%s", error)
        raise http_error(503, "LDAP server unavailable") from error
    except LdapMisconfigured as error:
        raise internal_error(str(error)) from error
    return ldap_login(conn, entry, ctx.settings.ldap.username_attr, ctx.groups)


@router.post("/ldap", status_code=201)
def ldap(ctx: Context, conn: Connection, body: Body, request: Request) -> dict[str, Any]:
    return _issue(ctx, ldap_user(ctx, conn, request, body))


@router.post("/msad", status_code=201)
def msad(ctx: Context, conn: Connection, body: Body, request: Request) -> dict[str, Any]:
    """The legacy name of ``/auth/ldap``."""
    return _issue(ctx, ldap_user(ctx, conn, request, body))


@router.get("/whoami", response_model=None)
def whoami(user: CurrentUser) -> dict[str, Any] | Response:
    return user.public() if user else Response(status_code=200)


def logout_body(ctx: AppContext, user: Any) -> dict[str, str]:
    """``AuthService.logout``: OIDC users also get where to end their provider session."""
    if user is None:
        raise plain_http_exception(401, "Not logged in")
    if user.auth_strategy == "oidc" and ctx.settings.oidc.auto_logout:
        if ctx.settings.logout_url:
            return {"logout": "successful", "logoutURL": ctx.settings.logout_url}
        end_session = ctx.oidc.end_session_endpoint() if ctx.oidc else None
        if end_session:
            return {"logout": "successful", "logoutURL": end_session}
    return {"logout": "successful"}


@router.post("/logout", status_code=200)
def logout(ctx: Context, user: CurrentUser) -> Response:
    response = JSONResponse(logout_body(ctx, user))
    response.delete_cookie(COOKIE, path="/api/v3/auth")
    return response


# -- OIDC -----------------------------------------------------------------------------


def _oidc(ctx: AppContext) -> OidcProvider:
    if ctx.oidc is None:
        # Upstream answers 500 ("Unknown authentication strategy") without OIDC_ISSUER.
        raise ApiError(401, {"statusCode": 401, "message": "OIDC is not configured"})
    return ctx.oidc


def _unavailable(error: Exception) -> ApiError:
    log.warning("%s", error)
    return http_error(503, "OIDC provider unavailable")


@router.get("/oidc", response_model=None)
def oidc_start(ctx: Context, request: Request) -> Response:
    provider = _oidc(ctx)
    settings = ctx.settings.oidc
    client = request.query_params.get("client") or "scicat"
    if client not in settings.clients:
        raise plain_http_exception(401, "Unauthorized client")
    config = settings.clients[client]
    return_url = request.query_params.get("returnUrl") or config.return_url or "/datasets"
    success_url = config.success_url or request.headers.get("referer") or ""
    try:
        target, state = provider.authorization_url()
    except OidcUnavailable as error:
        raise _unavailable(error) from error
    assert ctx.sessions is not None
    session = ctx.sessions.encode(
        {"client": client, "returnUrl": return_url, "successUrl": success_url, "state": state}
    )
    response = RedirectResponse(target, status_code=302)
    response.set_cookie(
        COOKIE, session, max_age=600, path="/api/v3/auth", httponly=True, samesite="lax"
    )
    return response


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@router.get("/oidc/callback", response_model=None)
def oidc_callback(ctx: Context, conn: Connection, request: Request) -> Response:
    provider = _oidc(ctx)
    assert ctx.sessions is not None
    session = ctx.sessions.decode(request.cookies.get(COOKIE))
    params = request.query_params
    if session is None:
        raise ApiError(401, {"statusCode": 401, "message": "no OIDC login in progress"})
    if params.get("error"):
        raise login_failed()
    if params.get("state") != session.get("state"):
        raise ApiError(401, {"statusCode": 401, "message": "state mismatch"})
    if not params.get("code"):
        raise login_failed()
    try:
        tokens = provider.exchange(params["code"])
        claims = provider.id_token_claims(tokens["id_token"])
        user = _oidc_user(ctx, conn, claims)
    except OidcUnavailable as error:
        raise _unavailable(error) from error
    except OidcError as error:
        raise ApiError(401, {"statusCode": 401, "message": str(error)}) from error
    if not session.get("successUrl"):
        raise bad_request("No success URL: set OIDC_SUCCESS_URL (or log in from a page)")
    token = _issue(ctx, user)
    target = _with_query(
        session["successUrl"],
        {
            "access-token": token["access_token"],
            "user-id": token["userId"],
            "returnUrl": session.get("returnUrl") or "",
        },
    )
    response = RedirectResponse(target, status_code=302)
    response.delete_cookie(COOKIE, path="/api/v3/auth")
    return response


def _oidc_user(ctx: AppContext, conn: Connection, claims: dict[str, Any]) -> dict[str, Any]:
    settings = ctx.settings.oidc
    profile = profile_from_claims(claims, settings)
    profile["accessGroups"] = ctx.groups.for_login(claims, ctx.settings.access_groups.oidc_property)
    query, operator = user_query(profile, settings)
    return oidc_login(conn, profile, query, operator)


@router.post("/oidc/token", status_code=201)
def oidc_token(ctx: Context, conn: Connection, body: Body) -> dict[str, Any]:
    id_token = validate(IdToken, body)["idToken"]
    provider = _oidc(ctx)
    try:
        claims = provider.id_token_claims(id_token)
        user = _oidc_user(ctx, conn, claims)
    except OidcUnavailable as error:
        raise _unavailable(error) from error
    except OidcError as error:
        message = f"Invalid idToken: {error}"
        raise ApiError(
            401, {"statusCode": 401, "message": message, "error": "Unauthorized"}
        ) from error
    return _issue(ctx, user)
