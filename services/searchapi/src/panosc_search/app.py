"""The ASGI app: settings → SciCat client → index → routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import install_error_handlers
from .routes import datasets, documents, health, instruments, samples, techniques
from .scicat import ScicatClient
from .settings import Settings
from .snapshot import Index

MODELS = ("Datasets", "Documents", "Instruments", "Samples", "Techniques")


class ModelPathCase:
    """LoopBack (Express) routes ignore case: ``/api/datasets`` is ``/api/Datasets``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.names = {name.lower(): name for name in MODELS}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            parts = scope["path"].split("/", 3)
            if len(parts) >= 3 and parts[1].lower() == "api" and parts[2].lower() in self.names:
                parts[1], parts[2] = "api", self.names[parts[2].lower()]
                scope = dict(scope, path="/".join(parts))
        await self.app(scope, receive, send)


def create_app(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    client = ScicatClient(settings.backend_url, timeout=settings.backend_timeout,
                          page_size=settings.page_size, transport=transport)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(
        title="PaNOSC search API (scicatlive)",
        description="The PaNOSC search API over a SciCat backend's public data.",
        lifespan=lifespan, docs_url="/explorer", openapi_url="/explorer.json", redoc_url=None,
    )
    app.state.settings = settings
    app.state.index = Index(settings, client)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(datasets.files_router)
    for module in (datasets, documents, instruments, samples, techniques):
        app.include_router(module.router)
    app.add_middleware(ModelPathCase)
    return app
