"""Finding rows the current user may see, through their path to a proposal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from ..access import visible
from ..auth import CurrentUser
from ..errors import NotFound, UnknownReference
from ..models import (
    AutoProcProgram,
    BLSample,
    BLSession,
    Container,
    DataCollection,
    DataCollectionGroup,
    Dewar,
    Proposal,
    Protein,
    Shipping,
)

Row = TypeVar("Row")

# For each table: the proposalId column that owns a row, and the joins that reach it.
_OWNER: Mapping[type[Any], tuple[ColumnElement[int], tuple[Any, ...]]] = {
    Proposal: (Proposal.proposalId, ()),
    BLSession: (BLSession.proposalId, ()),
    Protein: (Protein.proposalId, ()),
    Shipping: (Shipping.proposalId, ()),
    Dewar: (Shipping.proposalId, (Dewar.Shipping,)),
    Container: (Shipping.proposalId, (Container.Dewar, Dewar.Shipping)),
    BLSample: (Shipping.proposalId, (BLSample.Container, Container.Dewar, Dewar.Shipping)),
    DataCollectionGroup: (BLSession.proposalId, (DataCollectionGroup.BLSession,)),
    DataCollection: (
        BLSession.proposalId,
        (DataCollection.DataCollectionGroup, DataCollectionGroup.BLSession),
    ),
    AutoProcProgram: (
        BLSession.proposalId,
        (
            AutoProcProgram.DataCollection,
            DataCollection.DataCollectionGroup,
            DataCollectionGroup.BLSession,
        ),
    ),
}


def owner_column(model: type[Any]) -> ColumnElement[int]:
    return _OWNER[model][0]


def join_owner(query: Select[Any], model: type[Any]) -> Select[Any]:
    """Join ``model`` (the query's entity) to the table holding its ``proposalId``."""
    for join in _OWNER[model][1]:
        query = query.join(join)
    return query


def visible_select(model: type[Row], user: CurrentUser) -> Select[tuple[Row]]:
    """``SELECT model`` limited to what the user may see.

    Users who see everything get no joins at all: the database can then walk the
    table's primary key, which keeps large lists fast.
    """
    if user.sees_all:
        return select(model)
    return join_owner(select(model), model).where(visible(user, owner_column(model)))


def owner_joined(user: CurrentUser) -> bool:
    """Whether ``visible_select`` has joined the owning tables already."""
    return not user.sees_all


def get_visible(
    db: Session, user: CurrentUser, model: type[Row], row_id: int, field: str | None = None
) -> Row:
    """The row, else 404 (a path id, ``field`` None) or 422 naming the body ``field``."""
    primary_key = model.__mapper__.primary_key[0]  # type: ignore[attr-defined]
    row = db.scalar(visible_select(model, user).where(primary_key == row_id))
    if row is None:
        name = model.__tablename__  # type: ignore[attr-defined]
        if field is None:
            raise NotFound(f"{name} {row_id} not found")
        raise UnknownReference(f"{field} {row_id} does not exist", field)
    return row


def proposal_of(db: Session, model: type[Any], row_id: int) -> int:
    column, joins = _OWNER[model]
    query = select(column).select_from(model)
    for join in joins:
        query = query.join(join)
    primary_key = model.__mapper__.primary_key[0]
    owner: int = db.scalar(query.where(primary_key == row_id))
    return owner
