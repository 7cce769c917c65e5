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
import queue
import threading
import typing
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractContextManager
from typing import Any

import fastapi.routing
import psycopg
from fastapi import Request, params
from fastapi.routing import APIRoute
from starlette.convertors import StringConvertor
from starlette.responses import Response
from starlette.routing import compile_path

from .jsoncodec import dumps
from .pool import Database
from .settings import Settings


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


_Call = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class WorkerThreads:
    """Threads that run the endpoints' blocking calls for the event loop.

    A call is a tuple on a C queue and its outcome goes back with one
    ``call_soon_threadsafe``: no anyio limiter, cancel scope or loop detection, and none of
    the ``concurrent.futures.Future`` (a condition and its lock) that ``run_in_executor``
    builds and chains to an asyncio future for every call. Under py-spy that hand-over was
    a tenth of a create's CPU. The threads start on first use.
    """

    def __init__(self, count: int, name: str) -> None:
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._count, self._name = count, name
        self._started = False
        self._start_lock = threading.Lock()

    def run(self, call: Callable[[], Any]) -> asyncio.Future[Any]:
        """``call()`` in a worker thread; its result (or exception) as an awaitable."""
        if not self._started:
            self._start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.put((loop, future, call))
        return future

    @property
    def count(self) -> int:
        return self._count

    def resize(self, count: int) -> None:
        """Run ``count`` threads: any number before the first call, only more after it."""
        with self._start_lock:
            if self._started:
                self._spawn(range(self._count, count))
            self._count = max(self._count, count) if self._started else count

    def _start(self) -> None:
        with self._start_lock:
            if self._started:
                return
            self._spawn(range(self._count))
            self._started = True

    def _spawn(self, numbers: range) -> None:
        for number in numbers:
            threading.Thread(target=self._serve, name=f"{self._name}_{number}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            loop, future, call = self._calls.get()
            try:
                outcome: tuple[Any, BaseException | None] = (call(), None)
            except BaseException as error:  # noqa: BLE001 -- handed to the awaiting request
                outcome = (None, error)
            try:
                loop.call_soon_threadsafe(_settle, future, *outcome)
            except RuntimeError:
                pass  # the loop has closed: nobody awaits this call any more


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():  # the client went away
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


# A thread beyond the database pool's connections can only wait for one: with 40 threads
# and 8 connections, the pool's hand-over took a quarter of the server's CPU per create
# (1.75 ms against 1.25 ms with 8 threads, measured). Two spare threads keep the health
# probe and calls without the database answering while every connection is busy.
SPARE_THREADS = 2


def endpoint_threads(pool_size: int) -> int:
    return pool_size + SPARE_THREADS


# The endpoints' threads, for the default pool until create_app sizes them for its own.
_DEFAULT_POOL_SIZE: int = Settings.model_fields["database_pool_size"].default
WORKERS = WorkerThreads(endpoint_threads(_DEFAULT_POOL_SIZE), "scicat-lite")


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
        return await WORKERS.run(call)

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


_PLAIN_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def _plan(path: str, signature: inspect.Signature) -> list[tuple[str, str]] | None:
    """How to fill each parameter without FastAPI's dependency solving, or None.

    Only the dependencies of :mod:`scicat_lite.deps` that take nothing but the request
    and the app context, the ``Request`` itself and ``str`` path parameters qualify;
    an endpoint with anything else (query parameters, other dependencies) gets
    FastAPI's handler.
    """
    from . import deps

    kinds = {
        deps.get_context: "context",
        deps.get_user: "user",
        deps.lazy_connection: "connection",
        deps.lazy_statement_connection: "statement",
        deps.get_body: "body",
    }
    path_params = {
        name
        for name, convertor in compile_path(path)[2].items()
        if isinstance(convertor, StringConvertor)
    }
    plan: list[tuple[str, str]] = []
    for parameter in signature.parameters.values():
        annotation = parameter.annotation
        metadata = getattr(annotation, "__metadata__", ())
        if parameter.kind not in _PLAIN_KINDS:
            return None
        if annotation is Request:
            plan.append((parameter.name, "request"))
        elif len(metadata) == 1 and isinstance(metadata[0], params.Depends):
            kind = kinds.get(metadata[0].dependency)
            if kind is None or not metadata[0].use_cache:
                return None
            plan.append((parameter.name, kind))
        elif (
            annotation is str
            and parameter.default is inspect.Parameter.empty
            and parameter.name in path_params
        ):
            plan.append((parameter.name, "path"))
        else:
            return None
    return plan


def _lean_handler(
    plan: list[tuple[str, str]], run: Callable[..., Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    """The request handler of a planned endpoint: its arguments, then :func:`one_hop`."""
    from .deps import get_body, get_user

    async def handler(request: Request) -> Response:
        context = request.app.state.context
        kwargs: dict[str, Any] = {}
        user: Any = _UNSET
        for name, kind in plan:
            if kind == "context":
                kwargs[name] = context
            elif kind == "user":
                if user is _UNSET:
                    user = await get_user(request, context)
                kwargs[name] = user
            elif kind == "connection":
                kwargs[name] = LazyConnection(context.database)
            elif kind == "statement":
                kwargs[name] = LazyConnection(context.database, autocommit=True)
            elif kind == "body":
                kwargs[name] = await get_body(request)
            elif kind == "request":
                kwargs[name] = request
            else:
                kwargs[name] = request.path_params[name]
        return await run(**kwargs)

    return handler


_UNSET = object()


def _included_with_dependencies(route: APIRoute) -> bool:
    """Whether ``include_router(..., dependencies=...)`` gave ``route`` dependencies."""
    var = getattr(fastapi.routing, "_effective_route_context_var", None)
    context = var.get() if var is not None else None
    return bool(
        context is not None
        and getattr(context, "original_route", None) is route
        and getattr(context, "dependencies", None)
    )


class FastRoute(APIRoute):
    """An ``APIRoute`` whose synchronous endpoints run through :func:`one_hop`.

    When every parameter is one :func:`_plan` knows, the route's request handler fills
    them itself (the same values, in the same order) instead of FastAPI's dependency
    solving, which costs more than the rest of a create's handling on the event loop.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._plan: list[tuple[str, str]] | None = None
        if inspect.iscoroutinefunction(endpoint):
            if _takes_connection(endpoint):
                raise TypeError(f"{endpoint.__name__}: async endpoints cannot take a Connection")
        else:
            signature = _lazy_signature(endpoint)
            endpoint = one_hop(endpoint, kwargs.get("status_code") or 200)
            endpoint.__signature__ = signature  # type: ignore[attr-defined]
            if not kwargs.get("dependencies"):
                self._plan = _plan(path, signature)
        self._run = endpoint
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        if self._plan is None or self.dependencies or _included_with_dependencies(self):
            return super().get_route_handler()
        return _lean_handler(self._plan, self._run)  # type: ignore[return-value]
