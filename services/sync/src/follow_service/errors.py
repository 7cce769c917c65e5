"""The follower's small API answers errors in FastAPI's shape, ``{"detail": ...}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class NotYet(Exception):
    """What was asked for does not exist yet (the follower has not read the feed once)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotYet)
    async def _not_yet(request: Request, exc: NotYet) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=503, headers={"Retry-After": "1"})
