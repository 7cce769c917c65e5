"""Every FastAPI dependency: the shared services, the caller, the connection, the body.

Routes import what they need from here and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, unquote

import psycopg
from fastapi import Depends, Request

from .access import Access
from .auth import AccountStore, TokenService, User
from .errors import bad_request
from .features import Features
from .filters import FilterError, parse_json
from .pool import Database
from .settings import Settings


@dataclass
class AppContext:
    """The objects the app builds once at start-up and every request shares."""

    settings: Settings
    database: Database
    accounts: AccountStore
    tokens: TokenService
    access: Access
    features: Features


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


def get_user(request: Request, context: Context) -> User | None:
    """The caller from ``Authorization: Bearer``; None (anonymous) when absent or invalid."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    username = context.tokens.username(token.strip())
    return context.accounts.get(username) if username else None


CurrentUser = Annotated[User | None, Depends(get_user)]


def get_connection(context: Context) -> Iterator[psycopg.Connection]:
    with context.database.connection() as conn:
        yield conn


# "function" scope: the transaction commits before the response is sent.
Connection = Annotated[psycopg.Connection, Depends(get_connection, scope="function")]


async def get_body(request: Request) -> Any:
    """The decoded request body: JSON (also merge-patch) or a urlencoded form."""
    raw = await request.body()
    if not raw:
        return {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise bad_request(f"Unexpected token in JSON: {error}") from error


Body = Annotated[Any, Depends(get_body)]


def path_id(raw: str) -> str:
    """Undo the escaping of ``/`` and ``%`` that the path middleware applies to segments."""
    return unquote(raw)


def filter_param(request: Request, name: str = "filter") -> Any:
    """The JSON ``filter`` from the query string or (v3 datasets) a ``filter`` header."""
    query = request.query_params.get(name)
    header = request.headers.get(name) if name == "filter" else None
    if query is not None and header is not None:
        raise bad_request(
            "Filter must be provided either in the query string or in a header, not both"
        )
    try:
        return parse_json(query if query is not None else header, name)
    except FilterError as error:
        raise bad_request(str(error)) from error


def json_param(request: Request, name: str) -> Any:
    """A JSON-valued query parameter such as ``fields``, ``limits`` or ``facets``."""
    try:
        return parse_json(request.query_params.get(name), name)
    except FilterError as error:
        raise bad_request(str(error)) from error
