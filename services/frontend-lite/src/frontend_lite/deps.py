"""Every FastAPI dependency of the routes: settings, the backend, the renderer, the visitor.

Routes declare what they use with the ``Annotated`` aliases at the end
(``client: Backend``, ``visitor: Visitor``…); everything lives on ``app.state``, put there
once by :func:`frontend_lite.app.create_app`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from .backend import BackendClient
from .health import BackendMonitor
from .pages import Pages
from .session import Viewer, current_viewer
from .settings import Settings
from .views.spec import ViewConfig


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_backend(request: Request) -> BackendClient:
    client: BackendClient = request.app.state.backend
    return client


def get_monitor(request: Request) -> BackendMonitor:
    monitor: BackendMonitor = request.app.state.monitor
    return monitor


def get_pages(request: Request) -> Pages:
    renderer: Pages = request.app.state.pages
    return renderer


def get_views(request: Request) -> ViewConfig:
    views: ViewConfig = request.app.state.views
    return views


def get_viewer(request: Request) -> Viewer:
    return current_viewer(request)


AppSettings = Annotated[Settings, Depends(get_settings)]
Backend = Annotated[BackendClient, Depends(get_backend)]
Monitor = Annotated[BackendMonitor, Depends(get_monitor)]
Renderer = Annotated[Pages, Depends(get_pages)]
Views = Annotated[ViewConfig, Depends(get_views)]
Visitor = Annotated[Viewer, Depends(get_viewer)]
