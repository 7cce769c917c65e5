"""Copying validated request fields onto ORM rows, and error paths in nested requests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from ..errors import ApiError


def fields(
    model: BaseModel,
    *,
    exclude: Iterable[str] = (),
    only_set: bool = False,
    include: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The scalar fields of a request model (nested objects are handled by the caller)."""
    return model.model_dump(
        exclude=set(exclude),
        include=set(include) if include is not None else None,
        exclude_unset=only_set,
    )


def assign(row: object, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def now() -> datetime:
    """The time as ISPyB stores it: naive UTC, whole seconds."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@contextmanager
def at(path: str) -> Iterator[None]:
    """Prefix the field of any error raised inside with ``path`` (e.g. ``dewars[2]``)."""
    try:
        yield
    except ApiError as error:
        error.field = f"{path}.{error.field}" if error.field else path
        raise
