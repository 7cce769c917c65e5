"""FastAPI dependencies: the settings, the backend client and the page renderer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .pages import Pages
from .scicat import LandingClient
from .settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_client(request: Request) -> LandingClient:
    client: LandingClient = request.app.state.client
    return client


def get_pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


AppSettings = Annotated[Settings, Depends(get_settings)]
Client = Annotated[LandingClient, Depends(get_client)]
Renderer = Annotated[Pages, Depends(get_pages)]
