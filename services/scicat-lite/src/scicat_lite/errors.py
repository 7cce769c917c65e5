"""Errors with the backend's (NestJS) response bodies, and their FastAPI handlers."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .filters import FilterError
from .pool import DatabaseUnavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP error whose JSON body is exactly what the backend sends."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def http_error(status: int, message: Any = None) -> ApiError:
    """A NestJS ``HttpException`` body: ``{statusCode, message, error}``.

    Without a message NestJS sends the reason phrase as the message and no ``error`` key.
    """
    phrase = HTTPStatus(status).phrase
    if message is None:
        return ApiError(status, {"statusCode": status, "message": phrase})
    return ApiError(status, {"statusCode": status, "message": message, "error": phrase})


def bad_request(message: Any) -> ApiError:
    return http_error(400, message)


def forbidden(message: str = "Forbidden resource") -> ApiError:
    return http_error(403, message)


def not_found(message: str | None = None) -> ApiError:
    return http_error(404, message)


def conflict(message: str) -> ApiError:
    return http_error(409, message)


def login_failed() -> ApiError:
    """passport-local's bare ``UnauthorizedException``."""
    return ApiError(401, {"statusCode": 401, "message": "Unauthorized"})


def unauthenticated() -> ApiError:
    return http_error(401, "Unauthenticated")


def session_expired() -> ApiError:
    return http_error(401, "SESSION_EXPIRED")


def internal_error(message: str) -> ApiError:
    """A NestJS ``InternalServerErrorException`` with a message (server misconfiguration)."""
    return http_error(500, message)


def plain_http_exception(status: int, message: str) -> ApiError:
    """``new HttpException(message, status)``: ``{statusCode, message}`` without ``error``."""
    return ApiError(status, {"statusCode": status, "message": message})


def precondition_failed() -> ApiError:
    return http_error(412, "Resource has been modified on server")


def payload_too_large() -> ApiError:
    return http_error(413, "request entity too large")


def v3_dataset_invalid(errors: list[dict[str, Any]]) -> ApiError:
    """The v3 dataset controller's manual validation body: ``message`` is a JSON *string*."""
    return ApiError(400, {"status": 400, "message": json.dumps(errors)})


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status)


async def _starlette_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (404, 405):
        # NestJS answers unknown routes and unknown methods alike.
        message = f"Cannot {request.method} {request.url.path}"
        return JSONResponse(http_error(404, message).body, status_code=404)
    return JSONResponse(http_error(exc.status_code).body, status_code=exc.status_code)


async def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    messages = [f"{'.'.join(str(p) for p in e['loc'][1:])} {e['msg']}" for e in exc.errors()]
    return JSONResponse(bad_request(messages).body, status_code=400)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse("Internal server error", status_code=500)


async def _filter_error(_: Request, exc: Exception) -> JSONResponse:
    error = bad_request(str(exc))
    return JSONResponse(error.body, status_code=error.status)


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    """Values PostgreSQL cannot use (a bad regular expression, an impossible date)."""
    error = bad_request(f"Invalid filter: {str(exc).splitlines()[0]}")
    return JSONResponse(error.body, status_code=error.status)


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    """The database is gone: 503 at once, so clients and healthchecks can tell."""
    if not isinstance(exc, DatabaseUnavailable):
        log.warning("database error: %s", str(exc).strip().splitlines()[0] if str(exc) else exc)
    error = http_error(503, str(exc) if isinstance(exc, DatabaseUnavailable) else None)
    return JSONResponse(error.body, status_code=503, headers={"Retry-After": "1"})


def install_error_handlers(app: FastAPI) -> None:
    """Every error the service answers leaves through one of these handlers."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _starlette_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(FilterError, _filter_error)
    app.add_exception_handler(psycopg.errors.DataError, _data_error)
    app.add_exception_handler(DatabaseUnavailable, _unavailable)
    # A connection lost outside the pool's watch (the pool marks it down on next use).
    app.add_exception_handler(psycopg.OperationalError, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
