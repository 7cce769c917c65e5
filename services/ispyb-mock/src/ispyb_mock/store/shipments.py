"""Shipments, dewars and containers, with ISPyB's status lists and puck rules."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .. import rules
from ..auth import CurrentUser
from ..errors import Conflict, RuleViolation
from ..models import BLSample, BLSession, Container, Dewar, Proposal, Shipping, ShippingHasSession
from ..schemas.shipments import (
    ContainerCreate,
    ContainerUpdate,
    DewarCreate,
    DewarUpdate,
    ShippingCreate,
    ShippingFields,
    ShippingUpdate,
)
from ..settings import Settings
from .common import assign, fields, now
from .lookup import get_visible, proposal_of


def check_shipping(payload: ShippingFields, settings: Settings) -> None:
    rules.check_status(
        payload.shippingStatus, rules.shipping_statuses(settings.site), "shippingStatus"
    )


def check_session_of_proposal(
    db: Session, session_id: int | None, proposal_id: int, field: str
) -> None:
    """A session referenced from a shipment, dewar or container is one of its proposal's."""
    if session_id is None:
        return
    session = db.get(BLSession, session_id)
    if session is None or session.proposalId != proposal_id:
        raise RuleViolation(f"{field} {session_id} is not a session of this proposal", field)


def link_sessions(db: Session, shipping: Shipping, session_ids: list[int]) -> None:
    linked = set(
        db.scalars(
            select(ShippingHasSession.c.sessionId).where(
                ShippingHasSession.c.shippingId == shipping.shippingId
            )
        )
    )
    for index, session_id in enumerate(session_ids):
        check_session_of_proposal(db, session_id, shipping.proposalId, f"sessionIds[{index}]")
    new = [sid for sid in dict.fromkeys(session_ids) if sid not in linked]
    if new:
        db.execute(
            insert(ShippingHasSession),
            [{"shippingId": shipping.shippingId, "sessionId": sid} for sid in new],
        )


def find_shipping(db: Session, proposal_id: int, name: str) -> Shipping | None:
    return db.scalar(
        select(Shipping).where(Shipping.proposalId == proposal_id, Shipping.shippingName == name)
    )


def create_shipping(
    db: Session, user: CurrentUser, settings: Settings, payload: ShippingCreate
) -> Shipping:
    get_visible(db, user, Proposal, payload.proposalId, "proposalId")
    check_shipping(payload, settings)
    if find_shipping(db, payload.proposalId, payload.shippingName) is not None:
        raise Conflict(f"shipment {payload.shippingName!r} already exists", "shippingName")
    shipping = Shipping(**fields(payload, exclude={"sessionIds"}), creationDate=now())
    db.add(shipping)
    db.flush()
    link_sessions(db, shipping, payload.sessionIds)
    return shipping


def update_shipping(
    db: Session, settings: Settings, shipping: Shipping, payload: ShippingUpdate
) -> Shipping:
    check_shipping(payload, settings)
    if payload.shippingName and payload.shippingName != shipping.shippingName:
        if find_shipping(db, shipping.proposalId, payload.shippingName) is not None:
            raise Conflict(f"shipment {payload.shippingName!r} already exists", "shippingName")
    assign(shipping, fields(payload, only_set=True))
    return shipping


def check_dewar(
    db: Session, settings: Settings, payload: DewarCreate | DewarUpdate, proposal_id: int
) -> None:
    rules.check_status(payload.dewarStatus, rules.dewar_statuses(settings.site), "dewarStatus")
    check_session_of_proposal(db, payload.firstExperimentId, proposal_id, "firstExperimentId")


def check_dewar_barcode(db: Session, barcode: str | None, dewar_id: int | None) -> None:
    if barcode is None:
        return
    holder = db.scalar(select(Dewar.dewarId).where(Dewar.barCode == barcode))
    if holder is not None and holder != dewar_id:
        raise Conflict(f"dewar barcode {barcode!r} is already used", "barCode")


def site_barcode(site: str, dewar_id: int) -> str:
    """Java ISPyB's generated dewar barcode: the site, a 0 below a million, the id."""
    return f"{site}{'0' if dewar_id < 1_000_000 else ''}{dewar_id}"


def create_dewar(db: Session, user: CurrentUser, settings: Settings, payload: DewarCreate) -> Dewar:
    shipping = get_visible(db, user, Shipping, payload.shippingId, "shippingId")
    check_dewar(db, settings, payload, shipping.proposalId)
    check_dewar_barcode(db, payload.barCode, None)
    dewar = Dewar(**fields(payload))
    db.add(dewar)
    db.flush()
    if dewar.barCode is None:
        dewar.barCode = site_barcode(settings.site, dewar.dewarId)
    return dewar


def update_dewar(
    db: Session, user: CurrentUser, settings: Settings, dewar: Dewar, payload: DewarUpdate
) -> Dewar:
    proposal_id = proposal_of(db, Dewar, dewar.dewarId)
    if payload.shippingId is not None:
        target = get_visible(db, user, Shipping, payload.shippingId, "shippingId")
        if target.proposalId != proposal_id:
            raise RuleViolation("a dewar cannot move to another proposal's shipment", "shippingId")
    check_dewar(db, settings, payload, proposal_id)
    check_dewar_barcode(db, payload.barCode, dewar.dewarId)
    assign(dewar, fields(payload, only_set=True))
    return dewar


def check_container_barcode(db: Session, barcode: str | None, container_id: int | None) -> None:
    if barcode is None:
        return
    holder = db.scalar(select(Container.containerId).where(Container.barcode == barcode))
    if holder is not None and holder != container_id:
        raise Conflict(f"container barcode {barcode!r} is already used", "barcode")


def occupied_locations(db: Session, container_id: int) -> list[int]:
    locations = db.scalars(select(BLSample.location).where(BLSample.containerId == container_id))
    return [int(location) for location in locations if location and location.isdigit()]


def apply_container_rules(
    db: Session, settings: Settings, container: Container, proposal_id: int
) -> None:
    """Check a container's final state: type and capacity, slot, session, samples that fit."""
    container.capacity = rules.container_capacity(container.containerType or "", container.capacity)
    changer = rules.sample_changer_for(container.beamlineLocation, settings.default_sample_changer)
    rules.check_sample_changer_location(container.sampleChangerLocation, changer)
    check_session_of_proposal(db, container.sessionId, proposal_id, "sessionId")
    if container.containerId is not None:
        rules.check_fits(occupied_locations(db, container.containerId), container.capacity)


def create_container(
    db: Session, user: CurrentUser, settings: Settings, payload: ContainerCreate
) -> Container:
    dewar = get_visible(db, user, Dewar, payload.dewarId, "dewarId")
    check_container_barcode(db, payload.barcode, None)
    container = Container(**fields(payload))
    apply_container_rules(db, settings, container, proposal_of(db, Dewar, dewar.dewarId))
    db.add(container)
    db.flush()
    return container


def update_container(
    db: Session,
    user: CurrentUser,
    settings: Settings,
    container: Container,
    payload: ContainerUpdate,
) -> Container:
    proposal_id = proposal_of(db, Container, container.containerId)
    if payload.dewarId is not None:
        get_visible(db, user, Dewar, payload.dewarId, "dewarId")
        if proposal_of(db, Dewar, payload.dewarId) != proposal_id:
            raise RuleViolation("a container cannot move to another proposal's dewar", "dewarId")
    check_container_barcode(db, payload.barcode, container.containerId)
    values = fields(payload, only_set=True)
    if "containerType" in values and "capacity" not in values:
        values["capacity"] = None  # a new type brings its own capacity
    assign(container, values)
    apply_container_rules(db, settings, container, proposal_id)
    return container
