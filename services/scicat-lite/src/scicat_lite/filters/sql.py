"""SQL fragments with bound parameters, and how a collection's field names map onto them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 8
MAX_CONDITIONS = 400
MAX_LIST = 1000
MAX_PATTERN = 1000

_FIELD_SEGMENT = re.compile(r"^[^$\x00][^\x00]{0,254}$")


class FilterError(ValueError):
    """A filter that cannot be translated (the client's fault: HTTP 400)."""


@dataclass(frozen=True)
class Sql:
    """A SQL fragment with ``%s`` placeholders and its parameters."""

    text: str
    params: tuple[Any, ...] = ()

    def __and__(self, other: Sql) -> Sql:
        return Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    @staticmethod
    def join(parts: Sequence[Sql], op: str, empty: str) -> Sql:
        if not parts:
            return Sql(empty)
        text = f" {op} ".join(f"({p.text})" for p in parts)
        return Sql(text, tuple(param for p in parts for param in p.params))


TRUE = Sql("TRUE")


def indexed_document(unindexed: Sequence[str] = ()) -> str:
    """The document as a collection's GIN index (``jsonb_path_ops``) covers it: ``doc`` without
    the free-form subtrees named in ``unindexed``.

    Containment (``@>``) and jsonpath (``@?``) tests must name this exact expression for
    PostgreSQL to answer them from the index."""
    if not unindexed:
        return "doc"
    return "(doc - '{" + ",".join(unindexed) + "}'::text[])"


@dataclass(frozen=True)
class FieldPolicy:
    """Which fields a collection knows and how legacy names map onto stored ones."""

    roots: frozenset[str] | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    timestamp_columns: Mapping[str, str] = field(default_factory=dict)
    # Facets read from these columns (text or text[]) instead of the document.
    facet_columns: Mapping[str, str] = field(default_factory=dict)
    array_columns: frozenset[str] = frozenset()
    # Array-typed top-level fields (MongoDB ``$unwind``s them when faceting).
    array_fields: frozenset[str] = frozenset()
    # The collection's fields, when facets must name one (None: any field).
    known_fields: frozenset[str] | None = None
    # Top-level fields left out of the collection's document index (see indexed_document).
    unindexed: tuple[str, ...] = ()

    def document(self, path: Sequence[str]) -> str:
        """The document expression for a containment or jsonpath test on ``path``: the
        indexed one, unless ``path`` lies in a subtree the index leaves out."""
        return "doc" if path[0] in self.unindexed else indexed_document(self.unindexed)

    def path(self, name: Any) -> list[str]:
        if not isinstance(name, str) or not name:
            raise FilterError(f"Invalid field name: {name!r}")
        segments = name.split(".")
        segments[0] = self.renames.get(segments[0], segments[0])
        if not all(_FIELD_SEGMENT.match(s) for s in segments):
            raise FilterError(f"Invalid field name: {name}")
        if self.roots is not None and segments[0] not in self.roots:
            raise FilterError(f"Property {segments[0]} should not exist in the filter object")
        return segments
