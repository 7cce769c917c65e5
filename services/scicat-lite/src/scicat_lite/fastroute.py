"""Routes that cost one worker-thread hop per request.

FastAPI runs every synchronous dependency and the synchronous endpoint in the thread
pool, each a hop with its own wake-up. Here the cheap dependencies are ``async`` (no
I/O), the database connection is taken lazily inside the endpoint's own thread, and
after the endpoint returns the same thread commits (or rolls back) and renders the JSON
with orjson, so FastAPI neither hops again nor walks the answer with ``jsonable_encoder``.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from fastapi.routing import APIRoute
from starlette.responses import Response

from .jsoncodec import dumps
from .pool import Database


class JsonBody(Response):
    """A JSON answer rendered with orjson (the documents are plain JSON values)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


class LazyConnection:
    """A pooled connection taken on first use and given back by :func:`one_hop`."""

    __slots__ = ("_connection", "_context", "_database")

    def __init__(self, database: Database) -> None:
        self._database = database
        self._context: AbstractContextManager[psycopg.Connection[Any]] | None = None
        self._connection: psycopg.Connection[Any] | None = None

    def _open(self) -> psycopg.Connection[Any]:
        if self._connection is None:
            self._context = self._database.connection()
            self._connection = self._context.__enter__()
        return self._connection

    @property
    def open(self) -> bool:
        return self._context is not None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._open(), name)

    def finish(self, error: BaseException | None) -> None:
        """Commit, or roll back after ``error``; the pool may turn a lost server into a 503."""
        context, self._context, self._connection = self._context, None, None
        if context is None:
            return
        if error is None:
            context.__exit__(None, None, None)
        else:
            context.__exit__(type(error), error, error.__traceback__)


def one_hop(endpoint: Callable[..., Any], status_code: int) -> Callable[..., Any]:
    """The endpoint plus its commit and its rendering, run as one call in a worker thread."""

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        connections = [value for value in kwargs.values() if isinstance(value, LazyConnection)]
        try:
            result = endpoint(*args, **kwargs)
        except BaseException as error:
            for connection in connections:
                connection.finish(error)
            raise
        for connection in connections:
            connection.finish(None)
        if isinstance(result, Response):
            return result
        return JsonBody(result, status_code=status_code)

    return run


def _takes_connection(endpoint: Callable[..., Any]) -> bool:
    from .deps import get_connection

    hints = typing.get_type_hints(endpoint, include_extras=True)
    for hint in hints.values():
        for meta in getattr(hint, "__metadata__", ()):
            if getattr(meta, "dependency", None) is get_connection:
                return True
    return False


class FastRoute(APIRoute):
    """An ``APIRoute`` whose synchronous endpoints run through :func:`one_hop`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.iscoroutinefunction(endpoint):
            if _takes_connection(endpoint):
                raise TypeError(f"{endpoint.__name__}: async endpoints cannot take a Connection")
        else:
            endpoint = one_hop(endpoint, kwargs.get("status_code") or 200)
        super().__init__(path, endpoint, **kwargs)
