"""The ASGI app: settings → published-data client → the OAI-PMH routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from .errors import install_error_handlers
from .routes import oai, status
from .scicat import PublishedDataClient
from .settings import Settings


def create_app(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    client = PublishedDataClient(settings.backend_url, timeout=settings.backend_timeout,
                                 page_size=settings.page_size, transport=transport)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(title="OAI-PMH provider (scicatlive)", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.client = client
    install_error_handlers(app)
    app.include_router(status.router)
    app.include_router(oai.router)
    return app
