"""Samples ← shipments, dewars, pucks and crystals, in the hierarchical or the flat layout.

**hierarchical**: four sample types linked by ``parentSampleId``, parents first.
**flat**: crystals only; each carries its puck, dewar and shipment as characteristics.
A sample is published as soon as one of the collections under it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scicatlive.domain import model as ispyb
from scicatlive.mapping import payloads as sc
from scicatlive.mapping.context import ProposalContext
from scicatlive.mapping.quantities import (
    container_characteristics,
    crystal_characteristics,
    dewar_characteristics,
    shipping_characteristics,
)


def samples(ctx: ProposalContext) -> list[sc.Sample]:
    record = ctx.proposal
    hierarchical = ctx.facility.options.sample_layout == "hierarchical"
    found: list[sc.Sample] = []
    for shipping in record.shippings:
        shipping_id = ctx.ids.shipping_sample(record.proposal, shipping.shippingName)
        if hierarchical:
            found.append(_shipping_sample(ctx, shipping, shipping_id))
        for dewar in shipping.dewars:
            dewar_id = ctx.ids.dewar_sample(dewar.barCode)
            if hierarchical:
                found.append(_dewar_sample(ctx, shipping, dewar, dewar_id, shipping_id))
            for container in dewar.containers:
                container_id = ctx.ids.container_sample(container.barcode)
                if hierarchical:
                    found.append(_container_sample(ctx, dewar, container, container_id, dewar_id))
                for sample in container.samples:
                    parent = container_id if hierarchical else None
                    found.append(_crystal_sample(ctx, shipping, dewar, container, sample, parent))
    return found


def _sample(
    ctx: ProposalContext,
    sample_id: str,
    name: str,
    kind: sc.SampleType,
    description: str,
    characteristics: dict[str, sc.Quantity],
    published: bool,
    parent: str | None,
) -> sc.Sample:
    return sc.Sample(
        sampleId=sample_id,
        sampleName=name,
        type=kind,
        description=description,
        owner=ctx.pi.full_name,
        proposalId=ctx.proposal.proposal,
        parentSampleId=parent,
        sampleCharacteristics=characteristics,
        isPublished=published,
        ownerGroup=ctx.owner_group,
        accessGroups=ctx.access_groups,
    )


def _shipping_sample(ctx: ProposalContext, shipping: ispyb.Shipping, sample_id: str) -> sc.Sample:
    return _sample(
        ctx, sample_id, shipping.shippingName, "shipment",
        f"Shipment {shipping.shippingName} ({len(shipping.dewars)} dewars) by {shipping.deliveryAgent_agentName}",
        shipping_characteristics(shipping), any_published(shipping_collections(shipping)), None,
    )  # fmt: skip


def _dewar_sample(
    ctx: ProposalContext, shipping: ispyb.Shipping, dewar: ispyb.Dewar, sample_id: str, parent: str
) -> sc.Sample:
    return _sample(
        ctx, sample_id, dewar.code, "dewar",
        f"Dewar {dewar.barCode} of {shipping.shippingName} ({len(dewar.containers)} pucks)",
        dewar_characteristics(dewar), any_published(dewar_collections(dewar)), parent,
    )  # fmt: skip


def _container_sample(
    ctx: ProposalContext, dewar: ispyb.Dewar, container: ispyb.Container, sample_id: str, parent: str
) -> sc.Sample:
    return _sample(
        ctx, sample_id, container.code, "puck",
        f"{container.containerType} {container.barcode} in dewar {dewar.barCode} "
        f"({len(container.samples)} of {container.capacity} positions filled)",
        container_characteristics(container), any_published(container_collections(container)), parent,
    )  # fmt: skip


def _crystal_sample(
    ctx: ProposalContext,
    shipping: ispyb.Shipping,
    dewar: ispyb.Dewar,
    container: ispyb.Container,
    sample: ispyb.BLSample,
    parent: str | None,
) -> sc.Sample:
    protein = ctx.proposal.protein(sample.Crystal.protein)
    characteristics = crystal_characteristics(sample, protein)
    if parent is None:  # flat: the crystal carries its whole journey
        characteristics |= container_characteristics(container)
        characteristics |= dewar_characteristics(dewar)
        characteristics |= shipping_characteristics(shipping)
    return _sample(
        ctx, ctx.ids.crystal_sample(container.barcode, sample.location), sample.name, "crystal",
        f"{protein.acronym} crystal {sample.name}, {sample.Crystal.spaceGroup}, "
        f"in {container.code} position {sample.location}",
        characteristics, any_published(sample_collections(sample)), parent,
    )  # fmt: skip


def sample_collections(sample: ispyb.BLSample) -> Iterator[ispyb.DataCollection]:
    for group in sample.dataCollectionGroups:
        yield from group.dataCollections


def container_collections(container: ispyb.Container) -> Iterator[ispyb.DataCollection]:
    for sample in container.samples:
        yield from sample_collections(sample)


def dewar_collections(dewar: ispyb.Dewar) -> Iterator[ispyb.DataCollection]:
    for container in dewar.containers:
        yield from container_collections(container)


def shipping_collections(shipping: ispyb.Shipping) -> Iterator[ispyb.DataCollection]:
    for dewar in shipping.dewars:
        yield from dewar_collections(dewar)


def any_published(collections: Iterable[ispyb.DataCollection]) -> bool:
    """A sample is public as soon as one of its collections is: public data need their sample."""
    return any(collection.published for collection in collections)
