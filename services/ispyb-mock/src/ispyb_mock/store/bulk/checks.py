"""Everything about a bulk load that can be checked before touching the database:
natural keys unique within the request, status lists, puck capacities and positions,
scaling shells. Errors name the JSON path of the offending field."""

from __future__ import annotations

from collections.abc import Iterable

from ... import rules
from ...schemas.bulk import BulkContainer, BulkDewar, BulkProposal, BulkSample
from ...settings import Settings
from ..common import at
from ..processing import check_processing


def check_request(payload: BulkProposal, settings: Settings) -> None:
    """Everything that can be checked before touching the database."""
    rules.check_unique(
        ((f"sessions[{i}].visit_number", s.visit_number) for i, s in enumerate(payload.sessions)),
        "visit_number",
    )
    rules.check_unique(
        ((f"proteins[{i}].acronym", p.acronym) for i, p in enumerate(payload.proteins)), "acronym"
    )
    rules.check_unique(
        ((f"shippings[{i}].shippingName", s.shippingName) for i, s in enumerate(payload.shippings)),
        "shippingName",
    )
    dewars = list(dewars_of(payload))
    rules.check_unique(((f"{path}.barCode", d.barCode) for path, d in dewars), "dewar barCode")
    containers = [
        (f"{path}.containers[{i}]", c) for path, d in dewars for i, c in enumerate(d.containers)
    ]
    rules.check_unique(((f"{p}.barcode", c.barcode) for p, c in containers), "container barcode")
    for index, shipping in enumerate(payload.shippings):
        with at(f"shippings[{index}]"):
            rules.check_status(
                shipping.shippingStatus, rules.shipping_statuses(settings.site), "shippingStatus"
            )
    for path, dewar in dewars:
        with at(path):
            rules.check_status(
                dewar.dewarStatus, rules.dewar_statuses(settings.site), "dewarStatus"
            )
    for path, container in containers:
        with at(path):
            _check_container(container)


def _check_container(container: BulkContainer) -> None:
    capacity = rules.container_capacity(container.containerType, container.capacity)
    rules.check_unique(
        ((f"samples[{i}].location", s.location) for i, s in enumerate(container.samples)),
        "location",
    )
    for index, sample in enumerate(container.samples):
        with at(f"samples[{index}]"):
            rules.check_sample_location(sample.location, capacity)
            _check_sample(sample)


def _check_sample(sample: BulkSample) -> None:
    rules.check_unique(
        (
            (f"dataCollectionGroups[{i}].startTime", (g.session, g.startTime))
            for i, g in enumerate(sample.dataCollectionGroups)
        ),
        "session and startTime",
    )
    for g_index, group in enumerate(sample.dataCollectionGroups):
        keys = (
            (
                f"dataCollectionGroups[{g_index}].dataCollections[{i}].dataCollectionNumber",
                (c.imageDirectory, c.imagePrefix, c.dataCollectionNumber),
            )
            for i, c in enumerate(group.dataCollections)
        )
        rules.check_unique(keys, "imageDirectory, imagePrefix and dataCollectionNumber")
        for c_index, collection in enumerate(group.dataCollections):
            path = f"dataCollectionGroups[{g_index}].dataCollections[{c_index}]"
            rules.check_unique(
                (
                    (f"{path}.autoProcPrograms[{i}].processingPrograms", p.processingPrograms)
                    for i, p in enumerate(collection.autoProcPrograms)
                ),
                "processingPrograms",
            )
            for p_index, program in enumerate(collection.autoProcPrograms):
                check_processing(program, f"{path}.autoProcPrograms[{p_index}].")


def dewars_of(payload: BulkProposal) -> Iterable[tuple[str, BulkDewar]]:
    for s_index, shipping in enumerate(payload.shippings):
        for d_index, dewar in enumerate(shipping.dewars):
            yield f"shippings[{s_index}].dewars[{d_index}]", dewar
