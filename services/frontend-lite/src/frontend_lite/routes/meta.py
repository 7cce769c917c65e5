"""The rendered config (as SciCat's frontend serves it), the view configuration, and health."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..deps import Monitor, Views

router = APIRouter()
NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/config.json")
@router.get("/assets/config.json")
async def config_json(request: Request) -> Response:
    return JSONResponse(request.app.state.raw_config, headers=NO_CACHE)


@router.get("/dataset-views.json")
@router.get("/assets/dataset-views.json")
async def dataset_views(views: Views) -> Response:
    """The view configuration in effect (DATASET_VIEWS_FILE, checked, defaults filled in)."""
    return JSONResponse(views.model_dump(mode="json", by_alias=True), headers=NO_CACHE)


@router.get("/healthz")
async def health(monitor: Monitor) -> Response:
    """200 while the backend answers its health check; 503 (unhealthy container) otherwise."""
    state = monitor.health if monitor.health.checked_at else await monitor.probe()
    body = state.as_json(monitor.client.base_url)
    return JSONResponse(body, status_code=200 if state.healthy else 503, headers=NO_CACHE)
