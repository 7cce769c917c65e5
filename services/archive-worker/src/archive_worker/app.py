"""The worker's HTTP side: health for the compose healthcheck, and what it has done."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from .errors import ServiceUnavailable, install_error_handlers
from .jobs import Behaviour
from .scicat import ScicatClient
from .settings import Settings
from .worker import Worker


def create_app(settings: Settings, worker: Worker | None = None) -> FastAPI:
    worker = worker or Worker(
        settings,
        ScicatClient(settings.scicat_url, settings.scicat_username, settings.scicat_password),
        Behaviour(settings.archive_delay, settings.retrieve_delay, settings.failure_rate,
                  random.Random(settings.random_seed)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await worker.start()
        try:
            yield
        finally:
            await worker.stop()
            await worker.client.close()

    app = FastAPI(title="archive-worker", lifespan=lifespan)
    app.state.worker = worker
    install_error_handlers(app)

    @app.get("/health")
    async def health() -> dict[str, str]:
        if not worker.connected:
            raise ServiceUnavailable("not connected to the broker")
        return {"status": "ok", "queue": settings.job_queue}

    @app.get("/status")
    async def status() -> dict[str, Any]:
        return {"connected": worker.connected, **worker.stats.as_dict()}

    return app
