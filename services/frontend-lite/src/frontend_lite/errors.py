"""Error pages: "backend unreachable", "not logged in", "no access" and "not found" differ.

The frontend's wire errors are HTML pages (it imitates SciCat's web frontend, not an API):
one page per kind of failure, with the status code that kind means.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .backend import BackendError, BackendUnreachable
from .pages import Pages
from .session import TOKEN, current_viewer, sign_out

log = logging.getLogger(__name__)


class PageError(Exception):
    """A page cannot be shown for a reason the visitor should read."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _error_page(
    request: Request, status: int, kind: str, title: str, message: str, *, login: bool = False
) -> Response:
    return _pages(request).render(
        request,
        "error.html",
        {
            "kind": kind,
            "title": title,
            "message": message,
            "offer_login": login,
            "login_url": "/login?" + urlencode({"next": _here(request)}),
        },
        status_code=status,
    )


async def backend_unreachable(request: Request, error: Exception) -> Response:
    assert isinstance(error, BackendUnreachable)
    log.warning("backend unreachable: %s", error)
    return _error_page(
        request,
        503,
        "unreachable",
        "Backend unreachable",
        f"The SciCat backend at {error.url} did not answer ({error.reason}). "
        "Nothing can be shown until it is back; try again in a moment.",
    )


async def backend_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, BackendError)
    viewer = current_viewer(request)
    if error.status == 401:
        if viewer.signed_in or request.session.get(TOKEN):
            sign_out(request)
            query = urlencode({"next": _here(request), "expired": "1"})
            return RedirectResponse(f"/login?{query}", status_code=303)
        return _error_page(
            request,
            401,
            "login",
            "Not logged in",
            f"You are not logged in, and the backend only shows this to signed-in users ({error.what}).",
            login=True,
        )
    if error.status == 403:
        if not viewer.signed_in:
            return _error_page(
                request,
                401,
                "login",
                "Not logged in",
                "This record is not public. Log in with an account of its group to see it.",
                login=True,
            )
        return _error_page(
            request,
            403,
            "forbidden",
            "No access",
            f"Your account {viewer.username or ''} is not allowed to see this ({error.what}: {error.message}).",
        )
    if error.status == 404:
        return _error_page(request, 404, "missing", "Not found", f"{error.what}: {error.message}")
    if error.status == 503:
        return _error_page(
            request,
            503,
            "unreachable",
            "Backend unavailable",
            f"The SciCat backend cannot answer right now ({error.what}: {error.message}). "
            "Try again in a moment.",
        )
    if error.status == 400:
        return _error_page(
            request,
            400,
            "invalid",
            "Request rejected",
            f"The backend rejected the request ({error.what}): {error.message}",
        )
    log.error("backend error: %s", error)
    return _error_page(
        request,
        502,
        "backend",
        "Backend error",
        f"The backend failed ({error.what}): {error.status} {error.message}",
    )


async def page_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageError)
    return _error_page(request, error.status, "invalid", error.title, error.message)


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return _error_page(
            request, 404, "missing", "Not found", f"There is no page at {request.url.path}."
        )
    return _error_page(request, error.status_code, "invalid", "Error", str(error.detail))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BackendUnreachable, backend_unreachable)
    app.add_exception_handler(BackendError, backend_error)
    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(HTTPException, http_error)
