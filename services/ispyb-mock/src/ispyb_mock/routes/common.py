"""Paging and per-row counts for list endpoints."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from ..deps import Paging

Row = TypeVar("Row")


def paginate(db: Session, query: Select[tuple[Row]], paging: Paging) -> tuple[int, Sequence[Row]]:
    """The total number of rows and the rows of the requested page."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.scalars(query.offset(paging.skip).limit(paging.limit)).unique().all()
    return total, rows


def counts(
    db: Session, column: ColumnElement[Any], ids: Iterable[int], *joins: Any
) -> dict[int, int]:
    """How many rows reference each of ``ids`` through ``column``."""
    ids = list(ids)
    if not ids:
        return {}
    query = select(column, func.count()).select_from(column.table)  # type: ignore[attr-defined]
    for join in joins:
        query = query.join(join)
    rows = db.execute(query.where(column.in_(ids)).group_by(column))
    return {key: number for key, number in rows}
