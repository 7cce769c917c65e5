"""Every FastAPI dependency: the shared services, the caller, the connection, the body.

Routes import what they need from here and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qsl, unquote

import psycopg
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from .access import Access
from .auth import TokenService, User
from .errors import bad_request
from .features import Features
from .fastroute import FastRoute, LazyConnection
from .filters import FilterError, parse_json
from .identity.callers import Callers
from .identity.groups import AccessGroups
from .identity.oidc import OidcProvider
from .identity.session import SessionCodec
from .jsoncodec import loads
from .logbooks import Logbooks
from .pool import Database
from .settings import Settings

if TYPE_CHECKING:  # ldap3 is imported only when LDAP_URL is set
    from .identity.ldap import LdapAuthenticator


@dataclass
class AppContext:
    """The objects the app builds once at start-up and every request shares."""

    settings: Settings
    database: Database
    tokens: TokenService
    access: Access
    callers: Callers
    groups: AccessGroups
    features: Features
    logbooks: Logbooks
    ldap: LdapAuthenticator | None = None
    oidc: OidcProvider | None = None
    sessions: SessionCodec | None = None


async def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


Context = Annotated[AppContext, Depends(get_context)]


async def get_user(request: Request, context: Context) -> User | None:
    """The caller from ``Authorization: Bearer``; None (anonymous) when absent or invalid.

    As upstream's guard, an ``access_token`` query parameter stands in for a missing
    header (its value must then carry the ``Bearer`` scheme too).
    """
    header = request.headers.get("authorization") or request.query_params.get("access_token", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    claims = context.tokens.payload(token.strip())
    if claims is None:
        return None
    user_id = claims.get("_id")
    if isinstance(user_id, str) and user_id and context.callers.cache.get(user_id) is None:
        await run_in_threadpool(context.callers.groups, user_id)  # fills the cache
    return context.callers.from_claims(claims)


CurrentUser = Annotated[User | None, Depends(get_user)]


async def get_connection(context: Context) -> AsyncIterator[LazyConnection]:
    """A connection taken on first use; :class:`FastRoute` commits it in the endpoint's thread.

    Routes of other route classes still get it committed (or rolled back) here, before
    the response is sent ("function" scope), at the cost of one more thread hop.
    """
    lazy = LazyConnection(context.database)
    try:
        yield lazy
    except BaseException as error:
        if lazy.open:
            await run_in_threadpool(lazy.finish, error)
        raise
    if lazy.open:
        await run_in_threadpool(lazy.finish, None)


Connection = Annotated[psycopg.Connection, Depends(get_connection, scope="function")]


def Router(*, prefix: str = "", tags: list[str | Enum] | None = None) -> APIRouter:
    """An ``APIRouter`` of :class:`FastRoute` routes (one thread hop per request)."""
    return APIRouter(prefix=prefix, tags=tags, route_class=FastRoute)


async def get_body(request: Request) -> Any:
    """The decoded request body: JSON (also merge-patch) or a urlencoded form."""
    raw = await request.body()
    if not raw:
        return {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    try:
        return loads(raw)
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
