"""Login (py-ISPyB's ``dummy`` and ``keycloak`` plugins), refresh, and the current user."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from sqlalchemy import select

from ..auth import Identity
from ..deps import Db, Issuer, Oidc, User, UsersFile
from ..errors import ServiceUnavailable, Unauthorized
from ..models import Person
from ..oidc import ProviderUnreachable, TokenRejected
from ..schemas.auth import AuthConfig, CurrentUserOut, Login, PluginConfig, Refresh, TokenResponse

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])

COULD_NOT_VERIFY = "Could not verify"


def _keycloak(body: Login, oidc: Oidc, accounts: UsersFile) -> Identity:
    if oidc is None:
        log.warning("keycloak login refused: no OIDC provider is configured (OIDC_ISSUER)")
        raise Unauthorized(COULD_NOT_VERIFY, "token")
    try:
        claims = oidc.verify(body.token)
    except TokenRejected as error:
        log.warning("keycloak login refused: %s", error)
        raise Unauthorized(COULD_NOT_VERIFY, "token") from error
    except ProviderUnreachable as error:
        raise ServiceUnavailable(f"the OIDC provider cannot be reached: {error}") from error
    login = oidc.login_of(claims)
    account = accounts.get(login)
    permissions = account.permissions if account else ()
    groups = tuple(dict.fromkeys((*(account.groups if account else ()), *oidc.groups_of(claims))))
    return Identity(login=login, permissions=permissions, groups=groups)


def _dummy(body: Login, accounts: UsersFile) -> Identity:
    account = accounts.authenticate(body.login or "", body.password or "")
    if account is None:
        raise Unauthorized(COULD_NOT_VERIFY, "password")
    return Identity(login=account.login, permissions=account.permissions, groups=account.groups)


def _tokens(db: Db, issuer: Issuer, identity: Identity, accounts: UsersFile) -> TokenResponse:
    person_id = db.scalar(select(Person.personId).where(Person.login == identity.login))
    if person_id is None and accounts.get(identity.login) is None:
        raise Unauthorized("User does not exist in database.", "login")
    return TokenResponse(
        login=identity.login,
        token=issuer.issue(identity, person_id),
        permissions=list(identity.permissions),
        refreshToken=issuer.issue_refresh(identity),
        expiresIn=issuer.access_seconds,
    )


@router.post("/auth/login", status_code=201, response_model=TokenResponse)
def login(body: Login, db: Db, issuer: Issuer, accounts: UsersFile, oidc: Oidc) -> TokenResponse:
    """Exchange a login for a bearer token and a refresh token.

    ``dummy``: login and password from the users file. ``keycloak``: an access token
    of the stack's OIDC provider in ``token``; the login is its ``preferred_username``.
    """
    if body.plugin == "keycloak":
        identity = _keycloak(body, oidc, accounts)
    elif body.plugin in ("dummy", None):
        identity = _dummy(body, accounts)
    else:
        raise Unauthorized(COULD_NOT_VERIFY, "plugin")
    return _tokens(db, issuer, identity, accounts)


@router.post("/auth/refresh", response_model=TokenResponse)
def refresh(body: Refresh, db: Db, issuer: Issuer, accounts: UsersFile) -> TokenResponse:
    """A new token (and refresh token) for a refresh token that is still valid."""
    return _tokens(db, issuer, issuer.verify_refresh(body.refreshToken), accounts)


@router.get("/auth/config", response_model=AuthConfig)
def config(oidc: Oidc) -> AuthConfig:
    """The login plugins this service accepts (no token needed)."""
    plugins = [PluginConfig(name="dummy", config={})]
    if oidc is not None:
        plugins.append(PluginConfig(name="keycloak", config=oidc.export_config()))
    return AuthConfig(plugins=plugins)


@router.get("/user/current", response_model=CurrentUserOut)
def current_user(user: User, db: Db) -> CurrentUserOut:
    person = db.scalar(select(Person).where(Person.login == user.login))
    return CurrentUserOut(
        login=user.login,
        personId=person.personId if person else None,
        givenName=person.givenName if person else None,
        familyName=person.familyName if person else None,
        Permissions=sorted(user.permissions),
        groups=list(user.groups),
    )
