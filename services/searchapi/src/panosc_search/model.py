"""PaNOSC's data model (panosc-eu/search-api, doc/data-model.md) as an in-memory graph.

Each entity is a ``Node``: its public properties (what the API returns) and its links to
related nodes. The tables below are the model's schema; filters are checked against them,
so a misspelt property or relation is a 400, not an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .units import SI

Kind = Literal[
    "Dataset", "Document", "File", "Instrument", "Member", "Parameter", "Person", "Sample",
    "Technique", "Affiliation",
]

PROPERTIES: dict[str, tuple[str, ...]] = {
    "Dataset": ("pid", "title", "isPublic", "creationDate", "size"),
    "Document": ("pid", "isPublic", "type", "title", "summary", "doi", "startDate", "endDate",
                 "releaseDate", "license", "keywords"),
    "File": ("id", "name", "path", "size"),
    "Instrument": ("pid", "name", "facility"),
    "Member": ("id", "role"),
    "Parameter": ("id", "name", "value", "unit"),
    "Person": ("id", "fullName", "orcid", "researcherId", "firstName", "lastName"),
    "Sample": ("pid", "name", "description"),
    "Technique": ("pid", "name", "panetId"),
    "Affiliation": ("id", "name", "address", "city", "country"),
}
DATE_PROPERTIES = frozenset({"creationDate", "startDate", "endDate", "releaseDate"})

# relation name -> (target kind, to-many?)
RELATIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "Dataset": {"documents": ("Document", True), "techniques": ("Technique", True),
                "instrument": ("Instrument", False), "files": ("File", True),
                "parameters": ("Parameter", True), "samples": ("Sample", True)},
    "Document": {"datasets": ("Dataset", True), "members": ("Member", True),
                 "parameters": ("Parameter", True)},
    "File": {"dataset": ("Dataset", False)},
    "Instrument": {"datasets": ("Dataset", True)},
    "Member": {"document": ("Document", False), "person": ("Person", False),
               "affiliation": ("Affiliation", False)},
    "Parameter": {"dataset": ("Dataset", False), "document": ("Document", False)},
    "Person": {"members": ("Member", True)},
    "Sample": {"datasets": ("Dataset", True)},
    "Technique": {"datasets": ("Dataset", True)},
    "Affiliation": {"members": ("Member", True)},
}

# The fields the spec's "text" operator matches (doc/query.md, "Text operator").
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "Dataset": ("title",),
    "Document": ("title", "summary"),
    "File": ("name",),
    "Instrument": ("name", "facility"),
    "Sample": ("name", "description"),
    "Technique": ("name",),
    "Person": ("fullName",),
    "Member": ("role",),
    "Parameter": ("name",),
    "Affiliation": ("name",),
}


@dataclass(eq=False)
class Node:
    kind: str
    key: str
    fields: dict[str, Any]
    links: dict[str, list[Node]] = field(default_factory=dict)
    si: SI | None = None  # parameters only: the value in SI units
    search_text: str = ""  # what the relevance score reads (README, "Relevance")
    _by_name: dict[str, list[Node]] | None = field(default=None, repr=False)
    _linked: dict[str, set[int]] = field(default_factory=dict, repr=False)

    def linked(self, relation: str) -> list[Node]:
        return self.links.get(relation, [])

    def parameters_named(self, names: set[str] | None) -> list[Node]:
        """This node's parameters, only those with one of ``names`` unless None."""
        parameters = self.linked("parameters")
        if names is None:
            return parameters
        if self._by_name is None:
            self._by_name = {}
            for parameter in parameters:
                self._by_name.setdefault(str(parameter.fields.get("name")), []).append(parameter)
        return [p for name in names for p in self._by_name.get(name, [])]

    def link(self, relation: str, other: Node) -> None:
        seen = self._linked.setdefault(relation, set())
        if id(other) not in seen:
            seen.add(id(other))
            self.links.setdefault(relation, []).append(other)


@dataclass
class Catalogue:
    """Every public entity, by kind, in a stable order."""

    nodes: dict[str, dict[str, Node]] = field(default_factory=dict)

    def add(self, node: Node) -> Node:
        return self.nodes.setdefault(node.kind, {}).setdefault(node.key, node)

    def get(self, kind: str, key: str) -> Node | None:
        return self.nodes.get(kind, {}).get(key)

    def all(self, kind: str) -> list[Node]:
        return list(self.nodes.get(kind, {}).values())

    def count(self, kind: str) -> int:
        return len(self.nodes.get(kind, {}))
