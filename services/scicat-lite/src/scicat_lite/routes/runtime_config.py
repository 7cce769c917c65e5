"""``/api/v3/runtime-config/{cid}`` and ``/api/v3/admin/{config,theme}``."""

from __future__ import annotations

from typing import Any

from ..deps import Body, Connection, Context, CurrentUser, Router, path_id
from ..dto_users import UpdateRuntimeConfig
from ..errors import forbidden, not_found
from ..runtime_config import get_config, update_config
from ..validation import validate

router = Router(prefix="/api/v3/runtime-config", tags=["runtime configurations"])
admin = Router(prefix="/api/v3/admin", tags=["admin"])


def _config(conn: Connection, cid: str) -> dict[str, Any]:
    found = get_config(conn, cid)
    if found is None:
        raise not_found(f"Config '{cid}' not found")
    return found


@router.get("/{cid}")
def read(conn: Connection, cid: str) -> dict[str, Any]:
    return _config(conn, path_id(cid))


@router.put("/{cid}")
def update(
    ctx: Context, user: CurrentUser, conn: Connection, cid: str, body: Body
) -> dict[str, Any]:
    if user is None or not ctx.access.is_admin(user):
        raise forbidden()
    data = validate(UpdateRuntimeConfig, body)["data"]
    updated = update_config(conn, path_id(cid), data, user.username)
    if updated is None:
        raise not_found(f"Config '{path_id(cid)}' not found")
    return updated


@admin.get("/config")
def frontend_config(conn: Connection) -> dict[str, Any]:
    data: dict[str, Any] = _config(conn, "frontendConfig")["data"]
    return data


@admin.get("/theme")
def frontend_theme(conn: Connection) -> dict[str, Any]:
    data: dict[str, Any] = _config(conn, "frontendTheme")["data"]
    return data
