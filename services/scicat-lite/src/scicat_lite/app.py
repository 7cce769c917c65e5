"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from . import __version__
from .access import Access
from .auth import AccountStore, TokenService
from .context import AppContext
from .db import Database, wait_for_database
from .errors import bad_request, install_handlers
from .filters import FilterError
from .middleware import BodyLimitMiddleware, PathMiddleware
from .routes import (
    attachments,
    auth,
    datasets_v3,
    datasets_v4,
    health,
    instruments,
    origdatablocks,
    proposals,
    samples,
)
from .settings import Settings


async def _filter_error(_: Request, exc: Exception) -> JSONResponse:
    error = bad_request(str(exc))
    return JSONResponse(error.body, status_code=error.status)


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    """Values PostgreSQL cannot use (a bad regular expression, an impossible date)."""
    error = bad_request(f"Invalid filter: {str(exc).splitlines()[0]}")
    return JSONResponse(error.body, status_code=error.status)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(wait_for_database, settings.database_url, settings.db_wait_seconds)
        database = Database(settings.database_url, settings.db_pool_size)
        await run_in_threadpool(database.open)
        app.state.context = AppContext(
            settings=settings,
            database=database,
            accounts=AccountStore.from_file(settings.functional_accounts_file),
            tokens=TokenService(settings.jwt_secret, settings.jwt_expires_in),
            access=Access(settings.groups),
        )
        try:
            yield
        finally:
            await run_in_threadpool(database.close)

    app = FastAPI(
        title="scicat-lite",
        version=__version__,
        description="SciCat backend API emulator",
        lifespan=lifespan,
        docs_url="/explorer",
        openapi_url="/explorer-json",
        redirect_slashes=False,
    )
    routers = [
        m.router
        for m in (
            auth,
            health,
            datasets_v3,
            datasets_v4,
            proposals,
            samples,
            instruments,
            attachments,
        )
    ]
    routers += [origdatablocks.v3, origdatablocks.v4]
    for router in routers:
        app.include_router(router)
    install_handlers(app)
    app.add_exception_handler(FilterError, _filter_error)
    app.add_exception_handler(psycopg.errors.DataError, _data_error)
    templates = [
        route.path for router in routers for route in router.routes if isinstance(route, APIRoute)
    ]
    app.add_middleware(PathMiddleware, templates=templates)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    return app
