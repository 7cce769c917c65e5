"""``/health``: the backend answers and the snapshot is current (the compose healthcheck)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..deps import CurrentIndex

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(index: CurrentIndex) -> dict[str, Any]:
    snapshot = await index.current()  # 503 when the backend does not answer
    return {
        "status": "ok",
        "backend": index.client.base_url,
        "indexed": {kind: snapshot.catalogue.count(kind)
                    for kind in ("Dataset", "Document", "Instrument", "Sample", "Technique")},
        "indexSeconds": round(snapshot.seconds, 3),
    }
