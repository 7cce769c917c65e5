"""The rendered config (as SciCat's frontend serves it) and the health check."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

router = APIRouter()


@router.get("/config.json")
@router.get("/assets/config.json")
async def config_json(request: Request) -> Response:
    return JSONResponse(request.app.state.raw_config, headers={"Cache-Control": "no-cache"})


@router.get("/healthz")
async def health() -> Response:
    """The frontend itself; the backend's state shows on the pages (and has its own check)."""
    return JSONResponse({"status": "ok"})
