"""Building graph models from ISPyB rows, with errors that name the row.

Rows missing a value the graph requires stop the read with :class:`IspybDataError`,
naming the entity, its ISPyB id and the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import ValidationError

from scicatlive.domain import model as m
from scicatlive.domain.derive import external_id, puck_capacity
from scicatlive.errors import ServiceError
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.rows import Row

GraphT = TypeVar("GraphT", bound=m.GraphModel)


class IspybDataError(ServiceError):
    """An ISPyB row lacks (or has a wrong) value the facility graph needs."""


def build_model(kind: type[GraphT], what: str, row: Row, **given: Any) -> GraphT:
    """A graph model from an ISPyB row: its own columns (empty ones left to defaults) plus ``given``."""
    fields = kind.model_fields
    values = {
        name: value
        for name, value in row.items()
        if name in fields
        and name not in given
        and (value is not None or fields[name].is_required())
    }
    try:
        return kind(**values, **given)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5]
        )
        raise IspybDataError(f"ISPyB {what}: {problems}") from None


def principal(proposal: Row, facts: FacilityFacts) -> m.Person:
    person: Row = proposal.get("Person") or {}
    what = f"main proposer (person {person.get('personId')}) of proposal {proposal['proposal']}"
    laboratory = build_model(m.Laboratory, f"laboratory of the {what}", person.get("Laboratory") or {})
    login = str(person.get("login"))
    return build_model(
        m.Person,
        what,
        person,
        Laboratory=laboratory,
        externalId=external_id(facts.site, "person", login),
    )


def container_model(
    row: Row, proposal: str, session: int | None, samples: list[m.BLSample]
) -> m.Container:
    kind = str(row.get("containerType"))
    return build_model(
        m.Container, f"container {row['containerId']} ({row.get('barcode')}) of {proposal}", row,
        capacity=puck_capacity(kind, row.get("capacity")), session=session, samples=samples,
    )  # fmt: skip


def by_id(rows: Iterable[Row], key: str) -> list[Row]:
    """Rows in creation order (ISPyB ids grow)."""
    return sorted(rows, key=lambda row: int(row[key]))


def grouped(rows: Iterable[Row], parent: str, key: str) -> dict[int, list[Row]]:
    groups: dict[int, list[Row]] = {}
    for row in by_id(rows, key):
        if row.get(parent) is not None:
            groups.setdefault(int(row[parent]), []).append(row)
    return groups


def running(collection: Row) -> bool:
    """A collection MXCuBE is still writing (``runStatus`` "Running" until the sweep ends)."""
    status = str(collection.get("runStatus") or "").strip().lower()
    return not status or "running" in status
