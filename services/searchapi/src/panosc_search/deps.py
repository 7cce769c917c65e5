"""FastAPI dependencies: the settings, the index and its current snapshot."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .query import Runner
from .settings import Settings
from .snapshot import Index, Snapshot


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_index(request: Request) -> Index:
    index: Index = request.app.state.index
    return index


async def get_snapshot(index: Annotated[Index, Depends(get_index)]) -> Snapshot:
    return await index.current()


async def get_runner(snapshot: Annotated[Snapshot, Depends(get_snapshot)]) -> Runner:
    return Runner(snapshot.catalogue)


CurrentSnapshot = Annotated[Snapshot, Depends(get_snapshot)]
CurrentIndex = Annotated[Index, Depends(get_index)]
AppSettings = Annotated[Settings, Depends(get_settings)]
