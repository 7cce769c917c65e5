"""py-ISPyB's user-portal sync body (``UserPortalProposalSync``): a proposal with its
persons and lab contacts, sessions with their persons, and proteins.

As upstream (models generated from ISPyB's columns, pydantic's default): unknown keys
are ignored; ``externalId`` is an integer, stored as ISPyB's 16-byte binary. A person
needs ``login`` or ``externalId``, a session ``expSessionPk`` or ``externalId``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .common import DbDateTime

ExternalId = Annotated[int, Field(ge=0, lt=2**127)]
Role = Literal[
    "Local Contact", "Local Contact 2", "Staff", "Team Leader", "Co-Investigator",
    "Principal Investigator", "Alternate Contact",
]  # fmt: skip


class _Upstream(BaseModel):
    model_config = ConfigDict(extra="ignore")


class UPLaboratory(_Upstream):
    name: str = Field(max_length=45)
    address: str = Field(max_length=255)
    city: str = Field(max_length=45)
    country: str = Field(max_length=45)
    url: str | None = Field(None, max_length=255)
    laboratoryExtPk: int | None = None


class UPPerson(_Upstream):
    login: str | None = Field(None, max_length=45)
    externalId: ExternalId | None = None
    givenName: str | None = Field(None, max_length=45)
    familyName: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=45)
    emailAddress: str | None = Field(None, max_length=60)
    phoneNumber: str | None = Field(None, max_length=45)
    faxNumber: str | None = Field(None, max_length=45)
    personUUID: str | None = Field(None, max_length=45)
    laboratory: UPLaboratory | None = None

    @model_validator(mode="after")
    def _identified(self) -> UPPerson:
        if self.login is None and self.externalId is None:
            raise ValueError("either login or externalId is required for a Person entity")
        return self


class SessionOptions(_Upstream):
    role: Role | None = None
    remote: bool | None = None


class UPSessionPerson(UPPerson):
    session_options: SessionOptions | None = None


class UPLabContact(_Upstream):
    cardName: str = Field(max_length=40)
    person: UPPerson
    defaultCourrierCompany: str | None = Field(None, max_length=45)
    courierAccount: str | None = Field(None, max_length=45)
    billingReference: str | None = Field(None, max_length=45)
    dewarAvgCustomsValue: int | None = None
    dewarAvgTransportValue: int | None = None


class UPProposal(_Upstream):
    proposalCode: str = Field(max_length=45)
    proposalNumber: str = Field(max_length=45)
    title: str | None = Field(None, max_length=200)
    proposalType: str | None = Field(None, max_length=2)
    state: Literal["Open", "Closed", "Cancelled"] | None = None
    externalId: ExternalId | None = None
    persons: list[UPPerson] = Field(min_length=1)
    labcontacts: list[UPLabContact] | None = None


class UPSession(_Upstream):
    expSessionPk: int | None = None
    externalId: ExternalId | None = None
    startDate: DbDateTime | None = None
    endDate: DbDateTime | None = None
    lastUpdate: DbDateTime | None = None
    beamLineName: str | None = Field(None, max_length=45)
    scheduled: bool | None = None
    nbShifts: int | None = None
    beamLineOperator: str | None = Field(None, max_length=255)
    visit_number: int | None = None
    usedFlag: int | None = None
    sessionTitle: str | None = Field(None, max_length=255)
    projectCode: str | None = Field(None, max_length=45)
    structureDeterminations: float | None = None
    dewarTransport: float | None = None
    databackupFrance: float | None = None
    databackupEurope: float | None = None
    operatorSiteNumber: str | None = Field(None, max_length=10)
    protectedData: str | None = Field(None, max_length=1024)
    nbReimbDewars: int | None = None
    persons: list[UPSessionPerson] | None = None

    @model_validator(mode="after")
    def _identified(self) -> UPSession:
        if self.expSessionPk is None and self.externalId is None:
            raise ValueError("either expSessionPk or externalId is required for a Session entity")
        return self


class UPProtein(_Upstream):
    acronym: str = Field(max_length=45)
    hazardGroup: int
    containmentLevel: int
    person: UPPerson
    externalId: ExternalId | None = None
    name: str | None = Field(None, max_length=255)
    description: str | None = None
    safetyLevel: Literal["GREEN", "YELLOW", "RED"] | None = None
    molecularMass: float | None = None
    proteinType: str | None = Field(None, max_length=45)
    sequence: str | None = None


class UserPortalProposalSync(_Upstream):
    proposal: UPProposal
    sessions: list[UPSession] | None = None
    proteins: list[UPProtein] | None = None


class Message(BaseModel):
    message: str


__all__ = ["Message", "UserPortalProposalSync"]
