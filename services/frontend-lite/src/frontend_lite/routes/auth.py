"""Log in with a functional account (``/api/v3/auth/login``) and log out."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import BackendError, BackendUnreachable
from ..deps import Backend, Renderer, Visitor
from ..forms import FormError, read_form
from ..models import LoginReply, parse
from ..pages import Pages
from ..session import csrf_valid, safe_next, sign_in, sign_out

router = APIRouter()
MAX_FIELD = 256


def _login_page(
    request: Request,
    render: Pages,
    *,
    error: str = "",
    username: str = "",
    status: int = 200,
) -> Response:
    params = request.query_params
    notice = "Your session has expired. Please log in again." if params.get("expired") else ""
    return render.render(
        request,
        "login.html",
        {
            "error": error,
            "notice": notice,
            "username": username,
            "next": safe_next(params.get("next")),
        },
        status_code=status,
        section="login",
    )


@router.get("/login")
async def login_form(request: Request, render: Renderer) -> Response:
    return _login_page(request, render)


@router.post("/login")
async def login(request: Request, client: Backend, render: Renderer) -> Response:
    try:
        form = await read_form(request)
    except FormError as error:
        return _login_page(
            request, render, error=f"The form could not be read: {error}.", status=400
        )
    username = form.get("username", "").strip()[:MAX_FIELD]
    password = form.get("password", "")[:MAX_FIELD]
    if not csrf_valid(request, form.get("csrf")):
        return _login_page(
            request,
            render,
            username=username,
            status=400,
            error="The form had expired (or cookies are blocked). Please try again.",
        )
    if not username or not password:
        return _login_page(
            request,
            render,
            username=username,
            status=400,
            error="Enter your username and password.",
        )
    try:
        reply = parse(LoginReply, await client.login(username, password), "log in")
        sign_in(request, reply, username)
    except BackendUnreachable as error:
        return _login_page(
            request,
            render,
            username=username,
            status=503,
            error=f"Backend unreachable: the SciCat backend at {error.url} did not answer, "
            "so nobody can log in right now.",
        )
    except BackendError as error:
        if error.status in (400, 401, 403):
            return _login_page(
                request, render, username=username, status=401, error="Wrong username or password."
            )
        return _login_page(
            request,
            render,
            username=username,
            status=502,
            error=f"The backend failed to log you in: {error.status} {error.message}",
        )
    except ValueError as error:
        return _login_page(
            request,
            render,
            username=username,
            status=502,
            error=f"The backend's login reply was not usable: {error}",
        )
    return RedirectResponse(safe_next(form.get("next")), status_code=303)


@router.post("/logout")
async def logout(request: Request, client: Backend, visitor: Visitor) -> Response:
    try:
        form = await read_form(request)
    except FormError:
        form = {}
    if not csrf_valid(request, form.get("csrf")):
        return RedirectResponse("/datasets", status_code=303)
    if visitor.token:
        await client.logout(visitor.token)
    sign_out(request)
    return RedirectResponse("/datasets", status_code=303)
