"""The FastAPI application."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from . import API_PREFIX
from .auth import TokenIssuer
from .db import make_sessionmaker
from .errors import install_error_handlers
from .feed.tracking import install_change_tracking
from .oidc import OidcVerifier
from .routes import (
    auth,
    beamline,
    bulk,
    changes,
    datacollections,
    events,
    health,
    processings,
    proposals,
    samples,
    shipments,
    userportalsync,
)
from .settings import Settings
from .users import Accounts

ROUTERS = (
    health,
    auth,
    proposals,
    shipments,
    samples,
    datacollections,
    events,
    beamline,
    processings,
    bulk,
    userportalsync,
    changes,
)


def create_app(settings: Settings, engine: Engine, accounts: Accounts | None = None) -> FastAPI:
    """Build the app on an engine whose schema exists (see ``db.create_schema``)."""
    app = FastAPI(
        title="ISPyB mock",
        summary="py-ISPyB's sample-tracking and MX data-collection API, on ISPyB's own schema",
        version="1.0.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sessionmaker = install_change_tracking(make_sessionmaker(engine))
    app.state.accounts = accounts or Accounts.load(settings.users_file)
    app.state.issuer = TokenIssuer(
        settings.jwt_secret, settings.token_minutes, settings.refresh_minutes
    )
    app.state.oidc = OidcVerifier(settings.oidc) if settings.oidc else None
    api = APIRouter(prefix=API_PREFIX)
    for module in ROUTERS:
        api.include_router(module.router)
    app.include_router(api)
    install_error_handlers(app)
    return app
