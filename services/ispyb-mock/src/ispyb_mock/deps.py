"""Every FastAPI dependency: settings, the database session, the caller, paging.

Routes import from here and nowhere else; ``create_app`` puts the objects these
read on ``app.state``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from .auth import MANAGE_PROPOSALS, CurrentUser, TokenIssuer
from .db import session_scope
from .errors import Unauthorized
from .oidc import OidcVerifier
from .settings import Settings
from .users import Accounts

MAX_LIMIT = 1000

_bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/login")


def get_db(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.sessionmaker)


def get_sessionmaker(request: Request) -> sessionmaker[Session]:
    """For routes that run their own transactions (the retried bulk load)."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.issuer
    return issuer


def get_accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


def get_oidc(request: Request) -> OidcVerifier | None:
    verifier: OidcVerifier | None = request.app.state.oidc
    return verifier


def get_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> CurrentUser:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("No token provided.", "Authorization")
    issuer: TokenIssuer = request.app.state.issuer
    return issuer.verify(credentials.credentials)


def get_writer(user: Annotated[CurrentUser, Depends(get_user)]) -> CurrentUser:
    user.require(MANAGE_PROPOSALS)
    return user


@dataclass(frozen=True)
class Paging:
    skip: int
    limit: int


def get_paging(
    skip: Annotated[int, Query(ge=0, description="Rows to skip")] = 0,
    limit: Annotated[int, Query(gt=0, le=MAX_LIMIT, description="Rows to return")] = 25,
) -> Paging:
    return Paging(skip=skip, limit=limit)


Db = Annotated[Session, Depends(get_db)]
Sessions = Annotated[sessionmaker[Session], Depends(get_sessionmaker)]
User = Annotated[CurrentUser, Depends(get_user)]
Writer = Annotated[CurrentUser, Depends(get_writer)]
Page = Annotated[Paging, Depends(get_paging)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Issuer = Annotated[TokenIssuer, Depends(get_issuer)]
UsersFile = Annotated[Accounts, Depends(get_accounts)]
Oidc = Annotated[OidcVerifier | None, Depends(get_oidc)]
