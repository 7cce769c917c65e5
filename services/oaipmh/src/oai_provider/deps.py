"""FastAPI dependencies: the settings and the published-data client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .scicat import PublishedDataClient
from .settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_client(request: Request) -> PublishedDataClient:
    client: PublishedDataClient = request.app.state.client
    return client


AppSettings = Annotated[Settings, Depends(get_settings)]
Client = Annotated[PublishedDataClient, Depends(get_client)]
