"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from . import __version__
from .access import Access
from .auth import TokenService
from .deps import AppContext
from .dispatch import install_dispatch
from .errors import install_error_handlers
from .fastroute import WORKERS, endpoint_threads
from .features import Features, build_features
from .identity.accounts import FunctionalAccount, read_accounts, sync_accounts
from .identity.callers import Callers
from .identity.groups import AccessGroups
from .identity.oidc import OidcProvider
from .identity.session import SessionCodec
from .identity.store import GroupCache
from .logbooks import Logbooks
from .middleware import BodyLimitMiddleware, PathMiddleware
from .pool import Database
from .routes import (
    attachments_v3,
    attachments_v4,
    auth,
    datablocks,
    datasets_v3,
    datasets_v3_origdatablocks,
    datasets_v4,
    health,
    history,
    instruments,
    jobs_v3,
    jobs_v4,
    lifecycle,
    logbooks,
    metadata_keys,
    origdatablocks_v3,
    origdatablocks_v4,
    policies,
    proposals,
    published_data_v3,
    published_data_v4,
    runtime_config,
    samples,
    user_identities,
    users,
)
from .runtime_config import read_config_files, sync_configs
from .settings import Settings

if TYPE_CHECKING:
    from .identity.ldap import LdapAuthenticator

# Routing tries the routers in this order: the busiest (ingestion, the catalogue's reads)
# come first. Their path prefixes do not overlap, so the order decides nothing else.
ROUTERS: tuple[APIRouter, ...] = (
    datasets_v4.router,
    origdatablocks_v4.router,
    datasets_v3.router,
    datasets_v3_origdatablocks.router,
    origdatablocks_v3.router,
    samples.router,
    proposals.router,
    attachments_v3.router,
    attachments_v4.router,
    instruments.router,
    auth.router,
    users.router,
    user_identities.router,
    health.router,
    runtime_config.router,
    runtime_config.admin,
    metadata_keys.router,
    logbooks.router,
    logbooks.dataset_v3,
    logbooks.dataset_v4,
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


def _ldap(settings: Settings) -> LdapAuthenticator | None:
    if not settings.ldap.configured:
        return None
    from .identity.ldap import LdapAuthenticator  # ldap3 only when LDAP is configured

    return LdapAuthenticator(settings.ldap)


def _start(
    settings: Settings,
    accounts: list[FunctionalAccount] | None,
    configs: dict[str, dict[str, Any]] | None,
    features: Features | None,
) -> AppContext:
    """Open the pool (the schema is completed), store the accounts and served configs."""
    database = Database(settings.database_url, settings.database_pool_size)
    database.open()
    groups = AccessGroups(settings.access_groups)
    with database.connection() as conn:
        sync_accounts(
            conn,
            read_accounts(settings.functional_accounts_file) if accounts is None else accounts,
            groups,
        )
        sync_configs(conn, read_config_files(settings) if configs is None else configs)
    return AppContext(
        settings=settings,
        database=database,
        tokens=TokenService(settings.jwt_secret, settings.jwt_expires_in),
        access=Access(settings.groups),
        callers=Callers(database, GroupCache()),
        groups=groups,
        features=features or build_features(settings),
        ldap=_ldap(settings),
        oidc=OidcProvider(settings.oidc) if settings.oidc.configured else None,
        sessions=SessionCodec(settings.session_secret) if settings.session_secret else None,
        logbooks=Logbooks(settings.logbook_enabled, settings.logbook_base_url),
    )


def create_app(
    settings: Settings | None = None,
    *,
    accounts: list[FunctionalAccount] | None = None,
    configs: dict[str, dict[str, Any]] | None = None,
    features: Features | None = None,
) -> FastAPI:
    """The app; at start-up the pool opens, the accounts and served configs are stored.

    ``accounts`` and ``configs`` are read from their files when not given.
    """
    settings = settings or Settings.from_env()
    WORKERS.resize(endpoint_threads(settings.database_pool_size))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.context = await run_in_threadpool(_start, settings, accounts, configs, features)
        database = app.state.context.database
        try:
            yield
        finally:
            await run_in_threadpool(app.state.context.features.close)
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
    install_dispatch(app, templates)
    app.add_middleware(PathMiddleware, templates=templates)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    return app
