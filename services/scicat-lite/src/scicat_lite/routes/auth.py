"""``/api/v3/auth``: login with functional accounts, whoami, logout."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from .. import dto
from ..deps import Body, Context, CurrentUser
from ..errors import login_failed, unauthenticated
from ..validation import check

router = APIRouter(prefix="/api/v3/auth", tags=["auth"])


@router.post("/login", status_code=201)
def login(ctx: Context, body: Body) -> dict[str, Any]:
    if check(dto.Credentials, body):
        raise login_failed()
    user = ctx.accounts.authenticate(body["username"], body["password"])
    return ctx.tokens.login_response(user)


@router.get("/whoami", response_model=None)
def whoami(user: CurrentUser) -> dict[str, Any] | Response:
    return user.public() if user else Response(status_code=200)


@router.post("/logout", status_code=200)
def logout(user: CurrentUser) -> dict[str, str]:
    if user is None:
        raise unauthenticated()
    return {"logout": "successful"}
