"""``/health``: 200 while the backend answers, 503 when it does not."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import Client

router = APIRouter()


@router.get("/health")
async def health(client: Client) -> dict[str, str]:
    await client.health()
    return {"status": "ok"}
