"""Running a parsed filter over the catalogue: where, include (inner-join), order, paging.

``include`` follows SciCat's search API and the PaNOSC reference: a relation included with a
``scope.where`` (or nested includes) keeps only parents that have a matching related item, and
returns only the matching items. ``parameters`` is the exception upstream makes: the scope
selects the parents, and every parameter of a selected parent is returned, the queried ones
converted to the query's unit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pint

from .filters import Include, Scope, parse_date
from .model import DATE_PROPERTIES, Catalogue, Node
from .units import UnitError, convert
from .where import group_unit, matches, required_names

Rendered = dict[str, Any]


def _units_asked(where: dict[str, Any] | None) -> dict[str, str]:
    """Parameter name → unit, for every ``and`` group naming both (as upstream maps them)."""
    asked: dict[str, str] = {}
    if not where:
        return asked
    groups = [where] + [g for g in where.get("or", []) if isinstance(g, dict)]
    for group in groups:
        parts = group.get("and", [group]) if isinstance(group.get("and"), list) else [group]
        name = next((p["name"] for p in parts if isinstance(p.get("name"), str)), None)
        unit = group_unit(parts)
        if name and unit:
            asked[name] = unit
    return asked


def _in_unit(node: Node, unit: str) -> Rendered:
    fields = dict(node.fields)
    value, own = fields.get("value"), fields.get("unit") or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and own:
        try:
            fields["value"] = float(f"{convert(float(value), own, unit):.12g}")
            fields["unit"] = unit
        except (UnitError, pint.errors.PintError):
            pass  # a different dimension: shown as stored
    return fields


class Runner:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    # -- selection -------------------------------------------------------------------

    def passes(self, node: Node, includes: list[Include]) -> bool:
        """Whether every constraining include finds something for ``node``."""
        return all(self._found(node, include) for include in includes
                   if include.scope.constraining)

    def _found(self, node: Node, include: Include) -> bool:
        candidates = node.linked(include.relation)
        if include.relation == "parameters":
            named = node.parameters_named(required_names(include.scope.where))
            return any(matches(p, include.scope.where) for p in named)
        return any(self._selected(child, include.scope) for child in candidates)

    def _selected(self, node: Node, scope: Scope) -> bool:
        return matches(node, scope.where) and self.passes(node, scope.include)

    def select(self, nodes: list[Node], scope: Scope,
               scores: dict[str, float] | None = None) -> list[Node]:
        chosen = [n for n in nodes if self._selected(n, scope)]
        if scores is not None:
            chosen = [n for n in chosen if n.key in scores]
        chosen = self._ordered(chosen, scope, scores)
        end = scope.skip + scope.limit if scope.limit else None
        return chosen[scope.skip:end]

    def count(self, nodes: list[Node], where: dict[str, Any] | None) -> int:
        return sum(1 for n in nodes if matches(n, where))

    @staticmethod
    def _ordered(nodes: list[Node], scope: Scope, scores: dict[str, float] | None) -> list[Node]:
        for prop, descending in reversed(scope.order):
            present = [n for n in nodes if n.fields.get(prop) is not None]
            absent = [n for n in nodes if n.fields.get(prop) is None]
            present.sort(key=_sort_key(prop), reverse=descending)
            nodes = present + absent
        if scores is not None:
            if not scope.order:  # upstream's tie-break: newest, then title, then pid, descending
                nodes = sorted(nodes, key=lambda n: (str(n.fields.get("creationDate") or ""),
                                                     str(n.fields.get("title") or ""), n.key),
                               reverse=True)
            nodes = sorted(nodes, key=lambda n: scores.get(n.key, 0.0), reverse=True)
        return nodes

    # -- rendering -------------------------------------------------------------------

    def render(self, node: Node, scope: Scope, score: float | None = None) -> Rendered:
        shown = scope.fields
        output = {k: v for k, v in node.fields.items()
                  if shown is None or k in shown}
        if score is not None and (shown is None or "score" in shown):
            output["score"] = score
        for include in scope.include:
            output[include.relation] = self._render_include(node, include,
                                                            output.get(include.relation))
        return output

    def _render_include(self, node: Node, include: Include, previous: Any) -> Any:
        candidates = node.linked(include.relation)
        if include.relation == "parameters":
            asked = _units_asked(include.scope.where)
            items = [_in_unit(p, asked[p.fields["name"]]) if p.fields["name"] in asked
                     else dict(p.fields) for p in candidates]
            if include.scope.fields is not None:
                items = [{k: v for k, v in i.items() if k in include.scope.fields} for i in items]
        else:
            chosen = self.select(candidates, include.scope)
            items = [self.render(child, include.scope) for child in chosen]
        if include.many:
            merged = list(previous or []) + [i for i in items if i not in (previous or [])]
            return merged
        return items[0] if items else previous


def _sort_key(prop: str) -> Callable[[Node], tuple[int, Any]]:
    """Numbers and dates before text, so that mixed values never fail to compare."""

    def key(node: Node) -> tuple[int, Any]:
        value = node.fields.get(prop)
        if prop in DATE_PROPERTIES:
            date = parse_date(value)
            return (0, date.timestamp()) if date else (1, str(value))
        if isinstance(value, (int, float)):
            return 0, float(value)
        return 1, str(value)

    return key
