"""Persons, laboratories, proposals and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .acquisition import BeamLineSetupOut
from .common import DbDateTime, InputModel, OrmModel

ProposalState = Literal["Open", "Closed", "Cancelled"]
SessionRole = Literal[
    "Local Contact",
    "Local Contact 2",
    "Staff",
    "Team Leader",
    "Co-Investigator",
    "Principal Investigator",
    "Alternate Contact",
]


class LaboratoryIn(InputModel):
    name: str = Field(min_length=1, max_length=45)
    address: str | None = Field(None, max_length=255)
    city: str | None = Field(None, max_length=45)
    country: str | None = Field(None, max_length=45)
    organization: str | None = Field(None, max_length=45)
    url: str | None = Field(None, max_length=255)


class PersonIn(InputModel):
    """A person, found or created by ``login``."""

    login: str = Field(min_length=1, max_length=45)
    givenName: str | None = Field(None, max_length=45)
    familyName: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=45)
    emailAddress: str | None = Field(None, max_length=60)
    phoneNumber: str | None = Field(None, max_length=45)
    Laboratory: LaboratoryIn | None = None


class LaboratoryOut(OrmModel):
    laboratoryId: int
    name: str | None
    address: str | None
    city: str | None
    country: str | None
    organization: str | None


class PersonOut(OrmModel):
    personId: int
    login: str | None
    givenName: str | None
    familyName: str | None
    title: str | None
    emailAddress: str | None
    phoneNumber: str | None
    Laboratory: LaboratoryOut | None = None


class ProposalFields(InputModel):
    title: str | None = Field(None, max_length=200)
    proposalType: str | None = Field("MX", max_length=2)
    state: ProposalState = "Open"


class ProposalCreate(ProposalFields):
    proposalCode: str = Field(min_length=1, max_length=45, pattern=r"^[A-Za-z][\w-]*$")
    proposalNumber: str = Field(min_length=1, max_length=45, pattern=r"^\d+$")
    Person: PersonIn = Field(description="Main proposer (Proposal.personId)")
    persons: list[PersonIn] = Field(default=[], description="Members (ProposalHasPerson)")


class ProposalMeta(OrmModel):
    persons: int
    sessions: int
    beamLines: list[str]


class ProposalOut(OrmModel):
    proposalId: int
    proposalCode: str
    proposalNumber: str
    proposal: str
    title: str | None
    proposalType: str | None
    state: str | None
    personId: int
    bltimeStamp: datetime | None
    Person: PersonOut | None = None
    meta: ProposalMeta | None = Field(None, serialization_alias="_metadata")


class SessionPersonIn(PersonIn):
    role: SessionRole | None = None
    remote: bool = False


class SessionFields(InputModel):
    beamLineName: str | None = Field(None, max_length=45)
    startDate: DbDateTime | None = None
    endDate: DbDateTime | None = None
    scheduled: bool | None = None
    nbShifts: int | None = Field(None, ge=0)
    comments: str | None = Field(None, max_length=2000)
    beamLineOperator: str | None = Field(None, max_length=255)
    sessionTitle: str | None = Field(None, max_length=255)
    projectCode: str | None = Field(None, max_length=45)
    expSessionPk: int | None = None
    nbReimbDewars: int | None = Field(None, ge=0)
    persons: list[SessionPersonIn] = Field(default=[], description="Session_has_Person rows")


class SessionCreate(SessionFields):
    proposalId: int
    visit_number: int | None = Field(
        None, ge=0, description="The n in <proposal>-n; the proposal's next one when omitted"
    )


class SessionMeta(OrmModel):
    datacollections: int
    persons: int
    active: bool


class SessionOut(OrmModel):
    sessionId: int
    proposalId: int
    session: str
    proposal: str
    visit_number: int | None
    expSessionPk: int | None
    beamLineName: str | None
    startDate: datetime | None
    endDate: datetime | None
    scheduled: bool | None
    nbShifts: int | None
    comments: str | None
    beamLineOperator: str | None
    sessionTitle: str | None
    projectCode: str | None
    nbReimbDewars: int | None
    beamLineSetupId: int | None
    BeamLineSetup: BeamLineSetupOut | None = None
    meta: SessionMeta | None = Field(None, serialization_alias="_metadata")
