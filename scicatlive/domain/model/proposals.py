"""Proposals with their sessions on beamlines, proteins and shipments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Literal

from pydantic import Field

from scicatlive.domain.model.base import GraphModel
from scicatlive.domain.model.samples import BLSample, Container, Dewar, Shipping

SessionRole = Literal["Local Contact", "Team Leader", "Co-Investigator"]


class SessionPerson(GraphModel):
    login: str
    role: SessionRole
    remote: bool


class BLSession(GraphModel):
    visit_number: int = Field(ge=1)
    beamLineName: str
    startDate: datetime
    endDate: datetime
    nbShifts: int
    scheduled: bool = True
    beamLineOperator: str
    comments: str | None = None
    persons: list[SessionPerson]
    externalId: str


class Protein(GraphModel):
    acronym: str = Field(max_length=45)
    name: str = Field(max_length=255)
    sequence: str
    molecularMass: float = Field(description="kDa")
    safetyLevel: Literal["GREEN", "YELLOW", "RED"] = "GREEN"
    externalId: str


class Proposal(GraphModel):
    proposalCode: str
    proposalNumber: str
    title: str = Field(max_length=200)
    proposalType: str = "MX"
    state: Literal["Open", "Closed", "Cancelled"] = "Open"
    personLogin: str = Field(description="main proposer (Proposal.personId)")
    members: list[str] = Field(description="logins of ProposalHasPerson, PI first")
    sessions: list[BLSession]
    proteins: list[Protein]
    shippings: list[Shipping]
    externalId: str

    @property
    def proposal(self) -> str:
        return f"{self.proposalCode}{self.proposalNumber}"

    def session(self, visit_number: int) -> BLSession:
        return next(s for s in self.sessions if s.visit_number == visit_number)

    def protein(self, acronym: str) -> Protein:
        return next(p for p in self.proteins if p.acronym == acronym)

    def containers(self) -> Iterator[tuple[Shipping, Dewar, Container]]:
        for shipping in self.shippings:
            for dewar in shipping.dewars:
                for container in dewar.containers:
                    yield shipping, dewar, container

    def samples(self) -> Iterator[tuple[Container, BLSample]]:
        for _, _, container in self.containers():
            for sample in container.samples:
                yield container, sample
