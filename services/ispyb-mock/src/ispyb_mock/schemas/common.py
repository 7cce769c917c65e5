"""Shared bases: ORM-readable output models, strict input models, pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict

Item = TypeVar("Item")


def _as_stored(value: datetime) -> datetime:
    """ISPyB's DATETIME columns are naive (UTC here) and hold whole seconds."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


DbDateTime = Annotated[datetime, AfterValidator(_as_stored)]


class OrmModel(BaseModel):
    """Read from ORM rows; extra metadata is serialised under ``_metadata``."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class InputModel(BaseModel):
    """A request body: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


class Paginated(BaseModel, Generic[Item]):
    total: int
    results: list[Item]
    skip: int
    limit: int
