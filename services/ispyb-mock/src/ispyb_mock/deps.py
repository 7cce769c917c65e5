"""FastAPI dependencies: the database session, the current user, paging."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .auth import MANAGE_PROPOSALS, CurrentUser, TokenIssuer
from .db import session_scope
from .errors import Unauthorized
from .settings import Settings

MAX_LIMIT = 1000

_bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/login")


def get_db(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.sessionmaker)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.issuer
    return issuer


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
User = Annotated[CurrentUser, Depends(get_user)]
Writer = Annotated[CurrentUser, Depends(get_writer)]
Page = Annotated[Paging, Depends(get_paging)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Issuer = Annotated[TokenIssuer, Depends(get_issuer)]
