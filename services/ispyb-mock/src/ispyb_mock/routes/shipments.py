"""Sample tracking: shipments, dewars and containers (reads and writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..access import name_filter, visible
from ..deps import AppSettings, Db, Page, User, Writer
from ..models import BLSample, Container, Dewar, Shipping, ShippingHasSession
from ..schemas.common import Paginated
from ..schemas.shipments import (
    ContainerCreate,
    ContainerMeta,
    ContainerOut,
    ContainerUpdate,
    DewarCreate,
    DewarOut,
    DewarUpdate,
    ShippingCreate,
    ShippingMeta,
    ShippingOut,
    ShippingUpdate,
)
from ..store import shipments as store
from ..store.lookup import get_visible, join_owner, owner_column, visible_select
from .common import counts, paginate

router = APIRouter(tags=["sample tracking"])


def shipping_out(db: Session, shippings: list[Shipping]) -> list[ShippingOut]:
    ids = [s.shippingId for s in shippings]
    dewars = counts(db, Dewar.shippingId, ids)
    sessions: dict[int, list[int]] = {}
    if ids:
        links = db.execute(
            select(ShippingHasSession).where(ShippingHasSession.c.shippingId.in_(ids))
        )
        for shipping_id, session_id in links:
            sessions.setdefault(shipping_id, []).append(session_id)
    return [
        ShippingOut.model_validate(s).model_copy(
            update={
                "meta": ShippingMeta(
                    dewars=dewars.get(s.shippingId, 0),
                    sessions=sorted(sessions.get(s.shippingId, [])),
                )
            }
        )
        for s in shippings
    ]


@router.get("/shippings", response_model=Paginated[ShippingOut])
def list_shippings(
    db: Db, user: User, page: Page, proposal: Annotated[str | None, Query()] = None
) -> Paginated[ShippingOut]:
    query = (
        visible_select(Shipping, user)
        .where(name_filter(proposal, Shipping.proposalId))
        .order_by(Shipping.shippingId.desc())
    )
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total, results=shipping_out(db, list(rows)), skip=page.skip, limit=page.limit
    )


@router.get("/shippings/{shippingId}", response_model=ShippingOut)
def get_shipping(shippingId: int, db: Db, user: User) -> ShippingOut:
    return shipping_out(db, [get_visible(db, user, Shipping, shippingId)])[0]


@router.post("/shippings", status_code=201, response_model=ShippingOut)
def post_shipping(body: ShippingCreate, db: Db, user: Writer, settings: AppSettings) -> ShippingOut:
    shipping = store.create_shipping(db, user, settings, body)
    db.commit()
    return shipping_out(db, [shipping])[0]


@router.patch("/shippings/{shippingId}", response_model=ShippingOut)
def patch_shipping(
    shippingId: int, body: ShippingUpdate, db: Db, user: Writer, settings: AppSettings
) -> ShippingOut:
    shipping = store.update_shipping(
        db, settings, get_visible(db, user, Shipping, shippingId), body
    )
    db.commit()
    return shipping_out(db, [shipping])[0]


@router.get("/dewars", response_model=Paginated[DewarOut])
def list_dewars(
    db: Db,
    user: User,
    page: Page,
    shippingId: Annotated[int | None, Query()] = None,
    proposal: Annotated[str | None, Query()] = None,
) -> Paginated[DewarOut]:
    query = (
        join_owner(select(Dewar), Dewar)
        .options(selectinload(Dewar.Shipping))
        .where(visible(user, owner_column(Dewar)), name_filter(proposal, owner_column(Dewar)))
        .order_by(Dewar.dewarId)
    )
    if shippingId is not None:
        query = query.where(Dewar.shippingId == shippingId)
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total,
        results=[DewarOut.model_validate(r) for r in rows],
        skip=page.skip,
        limit=page.limit,
    )


@router.get("/dewars/{dewarId}", response_model=DewarOut)
def get_dewar(dewarId: int, db: Db, user: User) -> DewarOut:
    return DewarOut.model_validate(get_visible(db, user, Dewar, dewarId))


@router.post("/dewars", status_code=201, response_model=DewarOut)
def post_dewar(body: DewarCreate, db: Db, user: Writer, settings: AppSettings) -> DewarOut:
    dewar = store.create_dewar(db, user, settings, body)
    db.commit()
    return DewarOut.model_validate(dewar)


@router.patch("/dewars/{dewarId}", response_model=DewarOut)
def patch_dewar(
    dewarId: int, body: DewarUpdate, db: Db, user: Writer, settings: AppSettings
) -> DewarOut:
    dewar = store.update_dewar(db, user, settings, get_visible(db, user, Dewar, dewarId), body)
    db.commit()
    db.refresh(dewar)
    return DewarOut.model_validate(dewar)


def container_out(db: Session, containers: list[Container]) -> list[ContainerOut]:
    samples = counts(db, BLSample.containerId, [c.containerId for c in containers])
    return [
        ContainerOut.model_validate(c).model_copy(
            update={"meta": ContainerMeta(samples=samples.get(c.containerId, 0))}
        )
        for c in containers
    ]


@router.get("/containers", response_model=Paginated[ContainerOut])
def list_containers(
    db: Db,
    user: User,
    page: Page,
    proposal: Annotated[str | None, Query()] = None,
    dewarId: Annotated[int | None, Query()] = None,
    beamLineName: Annotated[str | None, Query(description="Container.beamlineLocation")] = None,
) -> Paginated[ContainerOut]:
    query = (
        join_owner(select(Container), Container)
        .options(selectinload(Container.Dewar).selectinload(Dewar.Shipping))
        .where(
            visible(user, owner_column(Container)), name_filter(proposal, owner_column(Container))
        )
        .order_by(Container.containerId)
    )
    if dewarId is not None:
        query = query.where(Container.dewarId == dewarId)
    if beamLineName is not None:
        query = query.where(Container.beamlineLocation == beamLineName)
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total, results=container_out(db, list(rows)), skip=page.skip, limit=page.limit
    )


@router.get("/containers/{containerId}", response_model=ContainerOut)
def get_container(containerId: int, db: Db, user: User) -> ContainerOut:
    return container_out(db, [get_visible(db, user, Container, containerId)])[0]


@router.post("/containers", status_code=201, response_model=ContainerOut)
def post_container(
    body: ContainerCreate, db: Db, user: Writer, settings: AppSettings
) -> ContainerOut:
    container = store.create_container(db, user, settings, body)
    db.commit()
    return container_out(db, [container])[0]


@router.patch("/containers/{containerId}", response_model=ContainerOut)
def patch_container(
    containerId: int, body: ContainerUpdate, db: Db, user: Writer, settings: AppSettings
) -> ContainerOut:
    container = get_visible(db, user, Container, containerId)
    store.update_container(db, user, settings, container, body)
    db.commit()
    db.refresh(container)
    return container_out(db, [container])[0]
