"""The ASGI app: settings → config and views → backend client and its monitor → routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors
from .backend import BackendClient
from .config import load_config
from .health import BackendMonitor
from .pages import STATIC, Pages
from .routes import auth, dataset, datasets, meta, proposals, samples, sessions, shipments
from .settings import Settings
from .views.config import load_view_config

SESSION_COOKIE = "frontend_lite_session"
SECURITY_HEADERS = [
    # Everything the pages use ships with the app: no CDN, no inline script.
    (
        b"content-security-policy",
        (
            b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


ROUTERS = (meta, auth, datasets, dataset, proposals, samples, sessions, shipments)


def create_app(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The app; raises ``ConfigError`` or ``ViewConfigError`` for a bad config.json or view file."""
    config, raw_config = load_config(settings.config_file)
    views, _ = load_view_config(settings.dataset_views_file)
    backend_url = settings.backend_internal_url or config.lbBaseURL
    client = BackendClient(
        backend_url,
        timeout=settings.backend_timeout,
        connect_timeout=settings.backend_connect_timeout,
        transport=transport,
    )
    monitor = BackendMonitor(
        client,
        interval=settings.backend_probe_interval,
        probe_timeout=max(settings.backend_probe_interval, 1.0),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with monitor.running():
            yield
        await client.aclose()

    app = FastAPI(
        title="frontend-lite", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.config = config
    app.state.raw_config = raw_config
    app.state.backend = client
    app.state.monitor = monitor
    app.state.views = views
    app.state.pages = Pages(config)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=None,  # a browser-session cookie
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(SecurityHeaders)
    errors.install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
