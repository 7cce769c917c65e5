"""Shipments, dewars (parcels) and containers (pucks).

Status values are checked against ISPyB's lists at write time (they name the
facility, see ``rules.shipping_statuses``); the rest is checked here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from .common import DbDateTime, InputModel, OrmModel

SafetyLevel = Literal["GREEN", "YELLOW", "RED"]
DewarType = Literal["Dewar", "Toolbox"]


class ShippingFields(InputModel):
    shippingName: str | None = Field(None, min_length=1, max_length=45)
    shippingStatus: str | None = Field(None, max_length=45)
    shippingType: str | None = Field(None, max_length=45)
    safetyLevel: SafetyLevel | None = None
    comments: str | None = Field(None, max_length=255)
    deliveryAgent_agentName: str | None = Field(None, max_length=45)
    deliveryAgent_agentCode: str | None = Field(None, max_length=45)
    deliveryAgent_flightCode: str | None = Field(None, max_length=45)
    deliveryAgent_shippingDate: date | None = None
    deliveryAgent_deliveryDate: date | None = None
    returnCourier: str | None = Field(None, max_length=45)
    dateOfShippingToUser: DbDateTime | None = None


class ShippingCreate(ShippingFields):
    proposalId: int
    shippingName: str = Field(min_length=1, max_length=45)
    shippingStatus: str = Field("opened", max_length=45)
    safetyLevel: SafetyLevel = "GREEN"
    sessionIds: list[int] = Field(default=[], description="Sessions served (ShippingHasSession)")


class ShippingUpdate(ShippingFields):
    pass


class ShippingMeta(OrmModel):
    dewars: int
    sessions: list[int]


class ShippingOut(OrmModel):
    shippingId: int
    proposalId: int
    shippingName: str | None
    shippingStatus: str | None
    shippingType: str | None
    safetyLevel: str | None
    comments: str | None
    creationDate: datetime | None
    bltimeStamp: datetime | None
    deliveryAgent_agentName: str | None
    deliveryAgent_agentCode: str | None
    deliveryAgent_flightCode: str | None
    deliveryAgent_shippingDate: date | None
    deliveryAgent_deliveryDate: date | None
    returnCourier: str | None
    dateOfShippingToUser: datetime | None
    meta: ShippingMeta | None = Field(None, serialization_alias="_metadata")


class DewarFields(InputModel):
    code: str | None = Field(None, max_length=45)
    barCode: str | None = Field(None, min_length=1, max_length=45)
    dewarStatus: str | None = Field(None, max_length=45)
    storageLocation: str | None = Field(None, max_length=45)
    type: DewarType | None = None
    comments: str | None = Field(None, max_length=255)
    trackingNumberToSynchrotron: str | None = Field(None, max_length=30)
    trackingNumberFromSynchrotron: str | None = Field(None, max_length=30)
    customsValue: int | None = Field(None, ge=0)
    transportValue: int | None = Field(None, ge=0)


class DewarCreate(DewarFields):
    shippingId: int
    dewarStatus: str = Field("opened", max_length=45)
    type: DewarType = "Dewar"
    barCode: str | None = Field(
        None,
        min_length=1,
        max_length=45,
        description="Unique; generated as <SITE>0<dewarId> when omitted",
    )
    firstExperimentId: int | None = Field(None, description="BLSession.sessionId")


class DewarUpdate(DewarFields):
    shippingId: int | None = None
    firstExperimentId: int | None = Field(None, description="BLSession.sessionId")


class ShippingRef(OrmModel):
    shippingId: int
    proposalId: int
    shippingName: str | None
    shippingStatus: str | None


class DewarOut(OrmModel):
    dewarId: int
    shippingId: int | None
    code: str | None
    barCode: str | None
    dewarStatus: str | None
    storageLocation: str | None
    type: str | None
    comments: str | None
    trackingNumberToSynchrotron: str | None
    trackingNumberFromSynchrotron: str | None
    customsValue: int | None
    transportValue: int | None
    firstExperimentId: int | None
    Shipping: ShippingRef | None = None


class ContainerFields(InputModel):
    code: str | None = Field(None, max_length=45)
    barcode: str | None = Field(None, min_length=1, max_length=45)
    containerType: str | None = Field(None, max_length=20)
    capacity: int | None = Field(None, ge=1)
    sampleChangerLocation: str | None = Field(None, max_length=20)
    beamlineLocation: str | None = Field(None, max_length=20)
    containerStatus: str | None = Field(None, max_length=45)
    comments: str | None = Field(None, max_length=255)


class ContainerCreate(ContainerFields):
    dewarId: int
    sessionId: int | None = None
    code: str = Field(min_length=1, max_length=45)
    containerType: str = Field("Unipuck", max_length=20)


class ContainerUpdate(ContainerFields):
    dewarId: int | None = None
    sessionId: int | None = None


class DewarRef(OrmModel):
    dewarId: int
    code: str | None
    barCode: str | None
    dewarStatus: str | None
    shippingId: int | None
    Shipping: ShippingRef | None = None


class ContainerMeta(OrmModel):
    samples: int


class ContainerOut(OrmModel):
    containerId: int
    dewarId: int | None
    code: str | None
    barcode: str | None
    containerType: str | None
    capacity: int | None
    sampleChangerLocation: str | None
    beamlineLocation: str | None
    containerStatus: str | None
    sessionId: int | None
    comments: str | None
    Dewar: DewarRef | None = None
    meta: ContainerMeta | None = Field(None, serialization_alias="_metadata")
