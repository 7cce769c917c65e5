"""Error pages: an unknown or unregistered DOI is a 404 page; a backend that cannot be reached
a 503 page (the health route turns the container unhealthy then too)."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .pages import Pages
from .scicat import BackendError, BackendUnreachable

log = logging.getLogger(__name__)


class UnknownDoi(Exception):
    def __init__(self, doi: str) -> None:
        super().__init__(doi)
        self.doi = doi


def _pages(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


async def _unknown(request: Request, error: Exception) -> Response:
    assert isinstance(error, UnknownDoi)
    return _pages(request).render("error.html", {
        "heading": "DOI not found",
        "message": f"No registered publication has the DOI {error.doi}.",
    }, status=404)


async def _unreachable(request: Request, error: Exception) -> Response:
    log.warning("%s", error)
    return _pages(request).render("error.html", {
        "heading": "Temporarily unavailable",
        "message": "The catalogue behind these pages does not answer; try again in a moment.",
    }, status=503)


async def _backend_error(request: Request, error: Exception) -> Response:
    log.error("%s", error)
    return _pages(request).render("error.html", {
        "heading": "Catalogue error", "message": str(error)}, status=502)


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    heading = "Not found" if error.status_code == 404 else "Bad request"
    message = (f"There is no page at {request.url.path}." if error.status_code == 404
               else str(error.detail))
    return _pages(request).render("error.html", {"heading": heading, "message": message},
                                  status=error.status_code)


async def _validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"][1:]) or "request"
    return _pages(request).render("error.html", {
        "heading": "Bad request", "message": f"{where}: {first['msg']}"}, status=400)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(UnknownDoi, _unknown)
    app.add_exception_handler(BackendUnreachable, _unreachable)
    app.add_exception_handler(BackendError, _backend_error)
    app.add_exception_handler(HTTPException, _http)
