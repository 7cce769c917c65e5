"""Body validation with the backend's error messages (class-validator wording)."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError, create_model
from pydantic_core import ErrorDetails

from .errors import bad_request, v3_dataset_invalid

_MESSAGES = {
    "string_type": "must be a string",
    "bool_type": "must be a boolean value",
    "int_type": "must be a number conforming to the specified constraints",
    "float_type": "must be a number conforming to the specified constraints",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "too_short": "must contain at least 1 elements",
    "string_pattern_mismatch": "must be one of the allowed values",
}


# pydantic names the member of a union (``int``, ``list[str]``, ``function-after[...]``) in
# an error's location; class-validator names only properties.
_TYPE_TAG = re.compile(r"^(int|float|str|bool|none|bytes|.*\[.*\])$")


def _property(error: ErrorDetails) -> str:
    return ".".join(
        str(part) for part in error["loc"] if not (isinstance(part, str) and _TYPE_TAG.match(part))
    )


def _constraint(error: ErrorDetails) -> tuple[str, str]:
    """(constraint name, message) for one pydantic error."""
    kind = error["type"]
    name = _property(error).rsplit(".", 1)[-1]
    if kind == "extra_forbidden":
        return "whitelistValidation", f"property {_property(error)} should not exist"
    if kind == "missing":
        return "isDefined", f"{name} should not be null or undefined"
    if kind == "value_error":
        text = str(error.get("ctx", {}).get("error", error["msg"]))
        return "isValid", text if text.startswith("Expected") else f"{name} {text}"
    return kind, f"{name} {_MESSAGES.get(kind, error['msg'])}"


def messages(error: ValidationError) -> list[str]:
    return list(dict.fromkeys(_constraint(e)[1] for e in error.errors()))


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(["an instance of an object is expected"])
    return body


def validate(model: type[BaseModel], body: Any) -> dict[str, Any]:
    """The body as a dict of the fields that were sent; 400 ``{statusCode, message[]}`` if invalid."""
    try:
        return model.model_validate(_require_object(body)).model_dump(
            exclude_unset=True, by_alias=True
        )
    except ValidationError as error:
        raise bad_request(messages(error)) from error


def check(model: type[BaseModel], body: Any) -> list[str]:
    """The validation messages for ``body`` (empty when valid)."""
    try:
        model.model_validate(_require_object(body))
    except ValidationError as error:
        return messages(error)
    return []


def validate_v3_dataset(model: type[BaseModel], body: Any) -> dict[str, Any]:
    """As :func:`validate`, with the v3 dataset controller's ``{status, message: "<json>"}`` body."""
    if not isinstance(body, dict):
        raise v3_dataset_invalid([])
    try:
        return model.model_validate(body).model_dump(exclude_unset=True, by_alias=True)
    except ValidationError as error:
        grouped: dict[str, dict[str, str]] = {}
        for detail in error.errors():
            name, text = _constraint(detail)
            grouped.setdefault(str(detail["loc"][0]) if detail["loc"] else "", {})[name] = text
        raise v3_dataset_invalid(
            [
                {"property": prop, "children": [], "constraints": found}
                for prop, found in grouped.items()
            ]
        ) from error


@cache
def partial(model: type[BaseModel], exclude: frozenset[str] = frozenset()) -> type[BaseModel]:
    """The update DTO of ``model``: every field optional, ``exclude``d fields rejected."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in exclude:
            continue
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        fields[name] = (annotation | None, Field(default=None, alias=info.alias))
    return create_model(f"Partial{model.__name__}", __base__=model.__base__, **fields)  # type: ignore[call-overload]
