"""Errors on the wire. Protocol errors are OAI-PMH documents (HTTP 200), written by the library;
a backend that cannot be reached is an HTTP 503 with ``Retry-After``, which the protocol's
harvesters understand as "come back later"."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .scicat import BackendError, BackendUnreachable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "10"


async def _unreachable(request: Request, error: Exception) -> Response:
    log.warning("%s", error)
    return PlainTextResponse(f"{error}; retry later", status_code=503,
                             headers={"Retry-After": RETRY_AFTER_SECONDS})


async def _backend_error(request: Request, error: Exception) -> Response:
    log.error("%s", error)
    return PlainTextResponse(str(error), status_code=502)


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = (f"There is nothing at {request.url.path}; the OAI-PMH endpoint is /oai"
               if error.status_code == 404 else str(error.detail))
    return JSONResponse({"statusCode": error.status_code, "message": message},
                        status_code=error.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BackendUnreachable, _unreachable)
    app.add_exception_handler(BackendError, _backend_error)
    app.add_exception_handler(HTTPException, _http)
