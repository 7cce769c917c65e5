"""``/``: the service's configuration and uptime, as upstream answers; ``/health`` for compose."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from ..deps import AppSettings, Client

router = APIRouter(tags=["status"])
STARTED = time.time()


@router.get("/")
async def status(settings: AppSettings) -> dict[str, Any]:
    return {
        "service_url": settings.service_url,
        "scicat_backend_url": settings.backend_url,
        "facility_name": settings.facility_name,
        "admin_user_email": settings.admin_email,
        "published_data_id": "doi",
        "routes": ["/oai", "/scicat/oai", "/openaire/oai", "/panosc/oai"],
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(STARTED)),
        "uptime": round((time.time() - STARTED) * 1000, 3),
    }


@router.get("/health")
async def health(request: Request, client: Client) -> dict[str, str]:
    await client.health()  # 503 when the backend does not answer
    return {"status": "ok"}
