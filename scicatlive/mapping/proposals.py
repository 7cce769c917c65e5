"""Instruments ← beamlines, proposals ← proposals with their sessions, and group memberships."""

from __future__ import annotations

from collections.abc import Iterable

from scicatlive.domain import model as ispyb
from scicatlive.mapping import payloads as sc
from scicatlive.mapping.context import FacilityContext, ProposalContext
from scicatlive.mapping.options import beamline_group, proposal_group
from scicatlive.mapping.quantities import quantities, quantity, unique, utc


def instrument(ctx: FacilityContext, beamline: ispyb.Beamline) -> sc.Instrument:
    return sc.Instrument(
        pid=ctx.ids.instrument(beamline.beamLineName),
        uniqueName=beamline.beamLineName,
        name=beamline.beamLineName,
        customMetadata={
            "facility": quantity("facility", ctx.facility.facility.name),
            "sampleChangerType": quantity("sampleChangerType", beamline.sampleChangerType),
            "sampleChangerCapacity": quantity(
                "sampleChangerCapacity", beamline.sampleChangerCapacity
            ),
            "energyMin": quantity("energyMin", beamline.energyMin),
            "energyMax": quantity("energyMax", beamline.energyMax),
            **quantities(beamline.Detector.model_dump()),
        },
    )


def proposal(ctx: ProposalContext) -> sc.Proposal:
    record, pi = ctx.proposal, ctx.pi
    sessions = record.sessions
    proteins = ", ".join(f"{p.name} ({p.acronym})" for p in record.proteins)
    return sc.Proposal(
        proposalId=record.proposal,
        title=record.title,
        abstract=f"{record.title}. Macromolecular crystallography of {proteins}.",
        email=pi.emailAddress,
        firstname=pi.givenName,
        lastname=pi.familyName,
        pi_email=pi.emailAddress,
        pi_firstname=pi.givenName,
        pi_lastname=pi.familyName,
        startTime=utc(min(s.startDate for s in sessions)),
        endTime=utc(max(s.endDate for s in sessions)),
        MeasurementPeriodList=[
            sc.MeasurementPeriod(
                instrument=session.beamLineName,
                start=utc(session.startDate),
                end=utc(session.endDate),
                comment=f"{record.proposal}-{session.visit_number}",
            )
            for session in sessions
        ],
        instrumentIds=[ctx.ids.instrument(name) for name in unique(s.beamLineName for s in sessions)],
        metadata={
            "proposalType": record.proposalType,
            "state": record.state,
            "ispybExternalId": record.externalId,
            "members": record.members,
        },
        ownerGroup=ctx.owner_group,
        accessGroups=ctx.access_groups,
    )


def memberships(facility: ispyb.FacilityGraph, proposals: Iterable[ispyb.Proposal]) -> list[sc.GroupMembership]:
    """The groups each seeded person needs to see their data (not a SciCat record)."""
    groups: dict[str, list[str]] = {person.login: [] for person in facility.persons}
    for record in proposals:
        for login in record.members:
            groups[login].append(proposal_group(record))
    staff_groups = [
        facility.staffGroup,
        *(beamline_group(b.beamLineName) for b in facility.beamlines),
    ]
    for login in facility.staff:
        groups[login] += staff_groups
    return [
        sc.GroupMembership(
            login=person.login, email=person.emailAddress, groups=unique(groups[person.login])
        )
        for person in facility.persons
    ]
