"""Bookkeeping shared by the levels of a bulk load."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Placed:
    """A request item, where it sits in the JSON, its parent's id, and the row it became."""

    path: str
    item: Any
    parent_id: int
    row: Any = None


def place(
    parents: Sequence[Placed], children: str, parent_id: Callable[[Any], int]
) -> list[Placed]:
    """The items listed under ``children`` of every parent, each with its JSON path."""
    return [
        Placed(f"{parent.path}.{children}[{index}]", item, parent_id(parent.row))
        for parent in parents
        for index, item in enumerate(getattr(parent.item, children))
    ]


@dataclass
class Tally:
    """Rows created and updated, per table."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def count(self, table: str, existed: bool, number: int = 1) -> None:
        (self.updated if existed else self.created)[table] += number
