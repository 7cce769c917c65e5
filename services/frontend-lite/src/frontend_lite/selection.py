"""The selection: datasets picked from the lists, to publish them together.

The upstream frontend keeps this "batch" in the browser's local storage; here it is a
cookie of its own, signed like the session (so it cannot be forged) and as long-lived as
the session, holding at most :data:`MAX_SELECTED` PIDs (a cookie holds about 4 kB).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "frontend_lite_selection"
MAX_SELECTED = 50
SALT = "frontend-lite selection"


def _serializer(request: Request) -> URLSafeSerializer:
    settings = request.app.state.settings
    return URLSafeSerializer(settings.session_secret.get_secret_value(), salt=SALT)


def load_selection(request: Request) -> list[str]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        found = _serializer(request).loads(raw)
    except (BadSignature, ValueError, json.JSONDecodeError):
        return []
    return (
        [p for p in found if isinstance(p, str)][:MAX_SELECTED] if isinstance(found, list) else []
    )


def store_selection(request: Request, response: Response, pids: Iterable[str]) -> None:
    kept = list(dict.fromkeys(p for p in pids if p))[:MAX_SELECTED]
    if not kept:
        response.delete_cookie(COOKIE, path="/")
        return
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(kept),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https_only,
    )
