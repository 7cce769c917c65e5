"""Every error leaves as JSON that names the field at fault.

Body: ``{"detail": "<message>", "field": "<field or null>", "errors": [{"field", "message"}]}``.
``detail`` is py-ISPyB's (FastAPI's) key; ``field`` and ``errors`` are added.
A database that cannot be reached is a 503, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

DATABASE_DOWN = "The database is unavailable; retry when the service's health endpoint is ok"


# MySQL/MariaDB client errors that mean the server is gone or cannot be reached:
# 2002/2003 cannot connect, 2006 server has gone away, 2013 lost connection,
# 1053 server shutdown in progress, 1927 connection killed, 2055 lost at handshake.
_UNREACHABLE_CODES = frozenset({1053, 1927, 2002, 2003, 2006, 2013, 2055})


class DatabaseUnavailable(RuntimeError):
    """The database did not answer (before the start-up deadline, or for a request)."""


def is_unreachable(error: BaseException) -> bool:
    """Whether a database error means the server cannot be reached (not a bad query)."""
    if isinstance(error, SATimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    args = getattr(error.orig, "args", ())
    return bool(args) and isinstance(args[0], int) and args[0] in _UNREACHABLE_CODES


class ApiError(Exception):
    """An expected failure with its HTTP status and the field it concerns."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RuleViolation(ApiError):
    """The request breaks a domain rule (capacity, position, status list...)."""

    status_code = 422


class UnknownReference(ApiError):
    """A referenced id does not exist, or belongs to a proposal the user cannot see."""

    status_code = 422


class Conflict(ApiError):
    """A unique natural key (barcode, position, name...) is already taken."""

    status_code = 409


class NotFound(ApiError):
    status_code = 404


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


class ServiceUnavailable(ApiError):
    """A service this one depends on (the OIDC provider) cannot be reached."""

    status_code = 503


def error_body(
    message: str, field: str | None, errors: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "detail": message,
        "field": field,
        "errors": list(errors) or [{"field": field, "message": message}],
    }


def _location(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


_COLUMN = re.compile(r"column '(?P<column>[^']+)'")
_DUPLICATE = re.compile(r"Duplicate entry '(?P<value>.*)' for key '(?P<key>[^']+)'")


def integrity_error(error: IntegrityError) -> ApiError:
    """Translate a database constraint failure into a 4xx naming the field."""
    from .models import UNIQUE_KEYS  # the ORM is heavy: only where a write failed

    text = str(error.orig)
    match = _DUPLICATE.search(text)
    if match:
        table, field = UNIQUE_KEYS.get(match["key"], ("", match["key"]))
        return Conflict(f"{table or 'a row'} with {field} {match['value']!r} already exists", field)
    return Conflict(f"the write conflicts with existing data: {text}", None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
        return JSONResponse(
            error_body(error.message, error.field), status_code=error.status_code, headers=headers
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, error: IntegrityError) -> JSONResponse:
        return await _api_error(request, integrity_error(error))

    @app.exception_handler(DatabaseUnavailable)
    async def _unavailable(_: Request, error: DatabaseUnavailable) -> JSONResponse:
        return _database_down()

    @app.exception_handler(DataError)
    async def _data(_: Request, error: DataError) -> JSONResponse:
        # A value the column cannot hold (too long, out of range) that no schema caught.
        text = str(getattr(error.orig, "args", ("", ""))[-1])
        match = _COLUMN.search(text)
        field = match["column"] if match else None
        return JSONResponse(error_body(f"{field or 'a value'}: {text}", field), status_code=422)

    @app.exception_handler(SATimeoutError)
    async def _pool(_: Request, error: SATimeoutError) -> JSONResponse:
        return _database_down()

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, error: DBAPIError) -> JSONResponse:
        if is_unreachable(error):
            return _database_down()
        raise error  # a genuine bug: let it surface as a 500 with its traceback in the log

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _location(item["loc"]), "message": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        malformed = any(item["type"] == "json_invalid" for item in problems)
        first = problems[0]
        message = "malformed JSON body" if malformed else f"{first['field']}: {first['message']}"
        return JSONResponse(
            error_body(message, first["field"], problems), status_code=400 if malformed else 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(str(error.detail), None),
            status_code=error.status_code,
            headers=error.headers,
        )


def _database_down() -> JSONResponse:
    return JSONResponse(
        error_body(DATABASE_DOWN, None), status_code=503, headers={"Retry-After": "1"}
    )
