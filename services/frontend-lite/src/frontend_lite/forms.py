"""Reading urlencoded form posts, checking their CSRF token, and the backend's field errors."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from .backend import BackendClient, BackendError
from .session import csrf_valid

MAX_FORM_BYTES = 16 * 1024
# Edit forms carry whole metadata tables.
MAX_EDIT_FORM_BYTES = 512 * 1024
EXPIRED_FORM = "The form had expired (or cookies are blocked). Please try again."


class FormError(ValueError):
    pass


async def read_pairs(request: Request, max_bytes: int = MAX_FORM_BYTES) -> list[tuple[str, str]]:
    """Every ``name=value`` pair of the post, in order (repeated names kept)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise FormError("expected an HTML form post")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise FormError("form too large")
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as error:
        raise FormError("form is not UTF-8") from error


async def read_form(request: Request, max_bytes: int = MAX_FORM_BYTES) -> dict[str, str]:
    return dict(await read_pairs(request, max_bytes))


@dataclass
class Posted:
    """A checked edit form: its fields (repeated names as lists) and whether the token held."""

    pairs: list[tuple[str, str]]
    csrf_ok: bool

    def get(self, name: str, default: str = "") -> str:
        found = [v for k, v in self.pairs if k == name]
        return found[-1] if found else default

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]


async def read_edit_form(request: Request) -> Posted:
    """An edit form; a missing or wrong CSRF token is reported, never acted upon."""
    try:
        pairs = await read_pairs(request, MAX_EDIT_FORM_BYTES)
    except FormError as error:
        raise FormRejected(f"The form could not be read: {error}.") from error
    token = next((v for k, v in reversed(pairs) if k == "csrf"), None)
    return Posted(pairs, csrf_valid(request, token))


class FormRejected(Exception):
    """The post cannot be read at all (too large, not a form)."""


@dataclass
class FieldErrors:
    """Error messages by form field, and those that belong to no field."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.general) or any(self.by_field.values())

    def of(self, name: str) -> list[str]:
        return list(self.by_field.get(name, []))

    def under(self, prefix: str) -> list[str]:
        return [m for k, ms in self.by_field.items() if k.startswith(prefix) for m in ms]


SHOULD_NOT_EXIST = re.compile(r"^property (\S+) should not exist")


def backend_field_errors(error: BackendError) -> FieldErrors:
    """The backend's validation errors, by the property they name.

    Three shapes reach a form: class-validator's ``message: ["name must be a string", …]``,
    the v3 dataset controller's ``message: "<JSON [{property, constraints}]>"``, and Ajv's
    ``[{instancePath, message}]`` (published data metadata, keyed by the path).
    """
    found = FieldErrors()
    body = error.body
    if isinstance(body, list):
        for item in body:
            if isinstance(item, dict):
                path = str(item.get("instancePath") or "").strip("/")
                found.add(f"metadata/{path}" if path else "metadata", str(item.get("message")))
        return found
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, str) and message.startswith("["):
        try:
            message = json.loads(message)
        except ValueError:
            pass
    if isinstance(message, list):
        for item in message:
            if isinstance(item, dict) and item.get("property"):
                texts = item.get("constraints") or {}
                for text in texts.values() if isinstance(texts, dict) else [texts]:
                    found.add(str(item["property"]), str(text))
            elif isinstance(item, str):
                unknown = SHOULD_NOT_EXIST.match(item)
                name = unknown.group(1) if unknown else item.split(" ", 1)[0]
                found.add(name.split(".")[0], item)
        return found
    found.general.append(error.message)
    return found


async def write_or_errors(
    client: BackendClient,
    method: str,
    path: str,
    body: Any,
    *,
    token: str | None,
    what: str,
    api: str = "v3",
) -> tuple[Any, FieldErrors]:
    """The backend's reply to a form's change, or the errors it found (400, 422) by field.

    Any other refusal (403 above all) is raised: it is a page of its own, not a form error.
    """
    try:
        reply = await client.write(method, path, body, token=token, what=what, api=api)
    except BackendError as error:
        if error.status not in (400, 422):
            raise
        return None, backend_field_errors(error)
    return reply, FieldErrors()
