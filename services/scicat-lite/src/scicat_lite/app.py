"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from . import __version__
from .access import Access
from .auth import AccountStore, TokenService
from .deps import AppContext
from .errors import install_error_handlers
from .features import Features, build_features
from .middleware import BodyLimitMiddleware, PathMiddleware
from .pool import Database
from .routes import (
    attachments_v3,
    attachments_v4,
    auth,
    datablocks,
    datasets_v3,
    datasets_v4,
    health,
    history,
    instruments,
    jobs_v3,
    jobs_v4,
    lifecycle,
    origdatablocks,
    policies,
    proposals,
    published_data_v3,
    published_data_v4,
    samples,
)
from .settings import Settings

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    health.router,
    datasets_v3.router,
    datasets_v4.router,
    proposals.router,
    samples.router,
    attachments_v3.router,
    instruments.router,
    attachments_v4.router,
    origdatablocks.v3,
    origdatablocks.v4,
    jobs_v3.router,
    jobs_v4.router,
    lifecycle.v3,
    lifecycle.v4,
    policies.router,
    datablocks.router,
    datablocks.dataset_router,
    history.router,
    published_data_v3.router,
    published_data_v4.router,
)


def create_app(
    settings: Settings | None = None,
    *,
    accounts: AccountStore | None = None,
    features: Features | None = None,
) -> FastAPI:
    """The app; the database pool opens (and the schema is completed) at start-up."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url, settings.database_pool_size)
        await run_in_threadpool(database.open)
        store = accounts or AccountStore.from_file(settings.functional_accounts_file)
        extras = features or await run_in_threadpool(build_features, settings, store)
        app.state.context = AppContext(
            settings=settings,
            database=database,
            accounts=store,
            tokens=TokenService(settings.jwt_secret, settings.jwt_expires_in),
            access=Access(settings.groups),
            features=extras,
        )
        try:
            yield
        finally:
            await run_in_threadpool(extras.close)
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
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    templates = [
        route.path for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)
    ]
    app.add_middleware(PathMiddleware, templates=templates)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    return app
