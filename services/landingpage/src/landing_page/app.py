"""The ASGI app: settings → backend client → pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from .errors import install_error_handlers
from .pages import STATIC, Pages
from .routes import health, pages
from .scicat import LandingClient
from .settings import Settings


def create_app(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    client = LandingClient(settings.backend_url, timeout=settings.backend_timeout,
                           transport=transport)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(title="landingpage (scicatlive)", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.client = client
    app.state.pages = Pages(settings.page)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(health.router)
    app.include_router(pages.router)
    return app
