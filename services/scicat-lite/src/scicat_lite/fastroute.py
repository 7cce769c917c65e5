"""Routes that cost one worker-thread hop per request.

FastAPI runs every synchronous dependency and the synchronous endpoint in the thread
pool, each a hop with its own wake-up. Here the cheap dependencies are ``async`` (no
I/O), the database connection is taken lazily inside the endpoint's own thread, and
after the endpoint returns the same thread commits (or rolls back) and renders the JSON
with orjson, so FastAPI neither hops again nor walks the answer with ``jsonable_encoder``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    """A pooled connection taken on first use and given back by :func:`one_hop`.

    With ``autocommit`` each statement is its own transaction, which spares the round
    trip of ``BEGIN``: only for endpoints whose database work is a single statement.
    """

    __slots__ = ("_autocommit", "_connection", "_context", "_database")

    def __init__(self, database: Database, *, autocommit: bool = False) -> None:
        self._database = database
        self._autocommit = autocommit
        self._context: AbstractContextManager[psycopg.Connection[Any]] | None = None
        self._connection: psycopg.Connection[Any] | None = None

    def _open(self) -> psycopg.Connection[Any]:
        if self._connection is None:
            self._context = self._database.connection()
            self._connection = self._context.__enter__()
            if self._autocommit:
                self._connection.autocommit = True
        return self._connection

    @property
    def open(self) -> bool:
        return self._context is not None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._open(), name)

    def finish(self, error: BaseException | None) -> None:
        """Commit, or roll back after ``error``; the pool may turn a lost server into a 503."""
        context, connection = self._context, self._connection
        self._context, self._connection = None, None
        if context is None:
            return
        if self._autocommit and connection is not None:
            try:  # back to the pool as it came
                connection.autocommit = False
            except psycopg.Error:
                pass  # a lost connection: the pool discards it
        if error is None:
            context.__exit__(None, None, None)
        else:
            context.__exit__(type(error), error, error.__traceback__)


# The endpoints' threads: as many as Starlette's default thread limiter allows. A plain
# executor hands work over through a C queue, without anyio's per-call limiter, cancel
# scope and event-loop detection.
WORKERS = ThreadPoolExecutor(max_workers=40, thread_name_prefix="scicat-lite")


def one_hop(endpoint: Callable[..., Any], status_code: int) -> Callable[..., Any]:
    """The endpoint plus its commit and its rendering, run as one call in a worker thread."""

    def run_sync(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
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

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        call = functools.partial(run_sync, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(WORKERS, call)

    return run


def _lazy_dependency(hint: Any) -> Any:
    """For a ``Connection`` annotation, the plain dependency :func:`one_hop` stands in for."""
    from . import deps

    lazy = {
        deps.get_connection: deps.LazyConnectionDep,
        deps.get_statement_connection: deps.LazyStatementConnectionDep,
    }
    for meta in getattr(hint, "__metadata__", ()):
        replacement = lazy.get(getattr(meta, "dependency", None))
        if replacement is not None:
            return replacement
    return None


def _takes_connection(endpoint: Callable[..., Any]) -> bool:
    hints = typing.get_type_hints(endpoint, include_extras=True)
    return any(_lazy_dependency(hint) is not None for hint in hints.values())


def _lazy_signature(endpoint: Callable[..., Any]) -> inspect.Signature:
    """``endpoint``'s signature with its connections taken by a plain dependency.

    :func:`one_hop` gives the connection back itself, so FastAPI need not run
    ``get_connection``'s generator (and its exit stack) around the request.
    """
    signature = inspect.signature(endpoint, eval_str=True)
    parameters = []
    for parameter in signature.parameters.values():
        replacement = _lazy_dependency(parameter.annotation)
        parameters.append(
            parameter if replacement is None else parameter.replace(annotation=replacement)
        )
    return signature.replace(parameters=parameters)


class FastRoute(APIRoute):
    """An ``APIRoute`` whose synchronous endpoints run through :func:`one_hop`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.iscoroutinefunction(endpoint):
            if _takes_connection(endpoint):
                raise TypeError(f"{endpoint.__name__}: async endpoints cannot take a Connection")
        else:
            signature = _lazy_signature(endpoint)
            endpoint = one_hop(endpoint, kwargs.get("status_code") or 200)
            endpoint.__signature__ = signature  # type: ignore[attr-defined]
        super().__init__(path, endpoint, **kwargs)
