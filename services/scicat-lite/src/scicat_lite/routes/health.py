"""``/api/v3/health``, in the shape of @nestjs/terminus."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from ..deps import Context, Router

router = Router(prefix="/api/v3/health", tags=["health"])


@router.get("")
def health(ctx: Context) -> JSONResponse:
    if ctx.database.healthy():
        up = {"postgres": {"status": "up"}}
        return JSONResponse({"status": "ok", "info": up, "error": {}, "details": up})
    down = {"postgres": {"status": "down"}}
    return JSONResponse(
        {"status": "error", "info": {}, "error": down, "details": down}, status_code=503
    )
