"""Declarative body checks with class-validator's messages, for the simple DTOs of jobs,
published data, policies and datablocks.

A DTO is a tuple of :class:`Field`; :func:`check_body` returns the body (only the sent
fields) or raises the ValidationPipe's 400 ``{statusCode, message: [...], error}``:
unknown properties first (``property X should not exist``), then each field's failures
in declaration order, as class-validator reports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import bad_request
from .timeutil import parse_iso

_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$"
)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and bool(_ISO.match(value)) and parse_iso(value) is not None


# kind → (test, message suffix)
KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "string": (lambda v: isinstance(v, str), "must be a string"),
    "number": (_is_number, "must be a number conforming to the specified constraints"),
    "integer": (lambda v: _is_number(v) and float(v).is_integer(), "must be an integer number"),
    "boolean": (lambda v: isinstance(v, bool), "must be a boolean value"),
    "object": (_is_object, "must be an object"),
    "array": (lambda v: isinstance(v, list), "must be an array"),
    "email": (lambda v: isinstance(v, str) and bool(_EMAIL.match(v)), "must be an email"),
    "date": (_is_date, "must be a valid ISO 8601 date string"),
}


@dataclass(frozen=True)
class Field:
    name: str
    kinds: tuple[str, ...]
    required: bool = True
    each: str | None = None  # element kind, e.g. "string" for @IsString({each: true})
    not_empty: bool = False
    choices: tuple[str, ...] = ()


def field(
    name: str,
    *kinds: str,
    required: bool = True,
    each: str | None = None,
    not_empty: bool = False,
    choices: tuple[str, ...] = (),
) -> Field:
    return Field(name, kinds, required, each, not_empty, choices)


def _problems(spec: Field, value: Any) -> list[str]:
    found: list[str] = []
    if spec.not_empty and value in ("", None, []):
        found.append(f"{spec.name} should not be empty")
    for kind in spec.kinds:
        test, text = KINDS[kind]
        if not test(value):
            found.append(f"{spec.name} {text}")
    if spec.each:
        test, text = KINDS[spec.each]
        if not isinstance(value, list) or not all(test(v) for v in value):
            found.append(f"each value in {spec.name} {text}")
    if spec.choices and value not in spec.choices:
        found.append(f"{spec.name} must be one of the following values: {', '.join(spec.choices)}")
    return found


def problems(dto: Sequence[Field], body: Any, *, partial: bool = False) -> list[str]:
    """Every class-validator message for ``body`` (empty when valid)."""
    if not isinstance(body, dict):
        return ["an instance of an object is expected"]
    names = {f.name for f in dto}
    found = [f"property {key} should not exist" for key in body if key not in names]
    for spec in dto:
        if spec.name not in body or body[spec.name] is None:
            if spec.required and not partial:
                found.extend(_problems(spec, None))
            continue
        found.extend(_problems(spec, body[spec.name]))
    return found


def check_body(dto: Sequence[Field], body: Any, *, partial: bool = False) -> dict[str, Any]:
    errors = problems(dto, body, partial=partial)
    if errors:
        raise bad_request(errors)
    return {k: v for k, v in body.items() if v is not None or not partial}
