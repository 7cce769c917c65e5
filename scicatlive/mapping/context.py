"""What mapping one proposal needs to know about the facility around it."""

from __future__ import annotations

from dataclasses import dataclass

from scicatlive.domain import model as ispyb
from scicatlive.mapping.options import Identifiers, MappingOptions, beamline_group, proposal_group
from scicatlive.mapping.quantities import unique


@dataclass(frozen=True)
class FacilityContext:
    """The facility without its proposals (beamlines, people), the options and the ids."""

    facility: ispyb.FacilityGraph
    options: MappingOptions
    ids: Identifiers

    @classmethod
    def of(cls, facility: ispyb.FacilityGraph, options: MappingOptions) -> FacilityContext:
        return cls(facility, options, Identifiers(facility.facility.site, options.pid_prefix, options.doi_prefix))

    def proposal(self, proposal: ispyb.Proposal) -> ProposalContext:
        beamlines = unique(session.beamLineName for session in proposal.sessions)
        return ProposalContext(
            facility=self,
            proposal=proposal,
            pi=self.facility.person(proposal.personLogin),
            owner_group=proposal_group(proposal),
            access_groups=[self.facility.staffGroup, *(beamline_group(name) for name in beamlines)],
        )


@dataclass(frozen=True)
class ProposalContext:
    """One proposal being mapped: its PI and the groups that own and see its records."""

    facility: FacilityContext
    proposal: ispyb.Proposal
    pi: ispyb.Person
    owner_group: str
    access_groups: list[str]

    @property
    def ids(self) -> Identifiers:
        return self.facility.ids
