"""The one upsert of the rows a facility keys by barcode: dewars and containers.

Both are found by a site-wide barcode, must belong to the proposal being loaded
(a barcode of another proposal is a 409), hang from a parent row (shipment,
dewar), and are written level-wide with one query and one flush.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from ...errors import Conflict
from ...models import Container, Dewar, Shipping
from ..common import assign, at, fields
from .placed import Placed, Tally


@dataclass(frozen=True)
class Barcoded:
    """One barcode-keyed level of the shipment tree."""

    model: type[Dewar] | type[Container]
    label: str  # in messages
    barcode: str  # the column holding the barcode
    parent: str  # the column naming the parent row
    own: frozenset[str]  # request fields that are not columns of the row
    shipping_load: LoaderOption  # eager path to the owning Shipping
    shipping_of: Callable[[Any], Shipping | None]


DEWARS = Barcoded(
    model=Dewar,
    label="dewar",
    barcode="barCode",
    parent="shippingId",
    own=frozenset({"containers", "firstExperiment"}),
    shipping_load=selectinload(Dewar.Shipping),
    shipping_of=lambda dewar: dewar.Shipping,
)
CONTAINERS = Barcoded(
    model=Container,
    label="container",
    barcode="barcode",
    parent="dewarId",
    own=frozenset({"samples", "session"}),
    shipping_load=selectinload(Container.Dewar).selectinload(Dewar.Shipping),
    shipping_of=lambda container: container.Dewar.Shipping if container.Dewar else None,
)


def upsert_barcoded(
    db: Session,
    level: Barcoded,
    placed: Sequence[Placed],
    proposal_id: int,
    tally: Tally,
    finish: Callable[[Any, Any], None],
) -> list[Placed]:
    """Create or update every placed item of ``level``; ``finish(row, item)`` adds what is
    particular to the level (references by visit number, container rules)."""
    column = getattr(level.model, level.barcode)
    rows = db.scalars(
        select(level.model)
        .options(level.shipping_load)
        .where(column.in_([getattr(entry.item, level.barcode) for entry in placed]))
    )
    by_barcode = {getattr(row, level.barcode): row for row in rows}
    for entry in placed:
        barcode = getattr(entry.item, level.barcode)
        with at(entry.path):
            row = by_barcode.get(barcode)
            if row is not None:
                shipping = level.shipping_of(row)
                if shipping is None or shipping.proposalId != proposal_id:
                    raise Conflict(
                        f"{level.label} barcode {barcode!r} belongs to another proposal",
                        level.barcode,
                    )
            tally.count(level.model.__tablename__, row is not None)
            entry.row = row if row is not None else level.model()
            values = fields(entry.item, exclude=level.own, only_set=row is not None)
            assign(entry.row, values | {level.barcode: barcode, level.parent: entry.parent_id})
            finish(entry.row, entry.item)
            db.add(entry.row)
    db.flush()
    return list(placed)
