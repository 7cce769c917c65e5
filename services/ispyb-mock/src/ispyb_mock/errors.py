"""Every error leaves as JSON that names the field at fault.

Body: ``{"detail": "<message>", "field": "<field or null>", "errors": [{"field", "message"}]}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .models import UNIQUE_KEYS


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


_DUPLICATE = re.compile(r"Duplicate entry '(?P<value>.*)' for key '(?P<key>[^']+)'")


def integrity_error(error: IntegrityError) -> ApiError:
    """Translate a database constraint failure into a 4xx naming the field."""
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
