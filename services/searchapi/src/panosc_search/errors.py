"""Errors on the wire in LoopBack 3's shape, as upstream's search API answers them.

``{"error": {"statusCode": 400, "name": "FilterError", "message": "…"}}``. A bad filter is a
400 naming the filter path; an unknown id a 404; a backend that cannot be reached a 503.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .filters import FilterError
from .scicat import BackendError, BackendUnreachable

log = logging.getLogger(__name__)


class NotFound(Exception):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f'Unknown "{kind}" id "{key}".')


def error_response(status: int, name: str, message: str, code: str | None = None) -> Response:
    body: dict[str, object] = {"statusCode": status, "name": name, "message": message}
    if code:
        body["code"] = code
    return JSONResponse({"error": body}, status_code=status)


async def _filter_error(request: Request, error: Exception) -> Response:
    return error_response(400, "FilterError", str(error), "INVALID_FILTER")


async def _not_found(request: Request, error: Exception) -> Response:
    return error_response(404, "Error", str(error), "MODEL_NOT_FOUND")


async def _unreachable(request: Request, error: Exception) -> Response:
    log.warning("%s", error)
    return error_response(503, "ServiceUnavailableError", str(error))


async def _backend_error(request: Request, error: Exception) -> Response:
    log.error("%s", error)
    return error_response(502, "BadGatewayError", str(error))


async def _validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"][1:]) or "request"
    return error_response(400, "ValidationError", f"{where}: {first['msg']}")


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        return error_response(404, "Error", f"Shared class \"{request.url.path}\" has no "
                              "method handling GET; see /api for the routes", "NOT_FOUND")
    return error_response(error.status_code, "Error", str(error.detail))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FilterError, _filter_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(BackendUnreachable, _unreachable)
    app.add_exception_handler(BackendError, _backend_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
