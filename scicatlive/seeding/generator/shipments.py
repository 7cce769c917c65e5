"""What travels to the beamline: shipments, dewars, pucks, and the pinned crystals in them.

A shipment arrives for one session; its pucks go into the beamline's sample
changer while slots are free, and the crystals in loaded pucks are mounted one
after another (each mount advances the session's clock) and collected.
"""

from __future__ import annotations

from datetime import timedelta

from scicatlive.domain import model as m
from scicatlive.domain.instruments import PUCK_CAPACITY
from scicatlive.seeding.generator.collections import SampleContext, collection_group
from scicatlive.seeding.generator.state import GeneratorState, SessionPlan, whole_seconds
from scicatlive.seeding.providers.crystals import jittered_cell
from scicatlive.seeding.providers.proteins import ProteinSpec

COURIERS = ("DHL", "FedEx", "UPS", "World Courier", "TNT")
LOOP_TYPES = ("Nylon", "Litho Loop", "Micromount")

Studied = list[tuple[m.Protein, ProteinSpec]]


def shippings(g: GeneratorState, proposal: str, session: SessionPlan, studied: Studied) -> list[m.Shipping]:
    wanted = g.recipe.shipments.per_session
    found = []
    for index in range(1, g.rng.randint(wanted.min, wanted.max) + 1):
        shipped = session.start.date() - timedelta(days=g.rng.randint(4, 12))
        name = f"{proposal}-{session.visit_number}_Shipment{index}"
        found.append(
            m.Shipping(
                shippingName=name,
                shippingStatus="sent to User",
                deliveryAgent_agentName=g.rng.choice(COURIERS),
                deliveryAgent_shippingDate=shipped,
                deliveryAgent_deliveryDate=shipped + timedelta(days=g.rng.randint(1, 3)),
                sessions=[session.visit_number],
                dewars=dewars(g, proposal, session, studied, name),
            )
        )
    return found


def dewars(
    g: GeneratorState, proposal: str, session: SessionPlan, studied: Studied, shipment: str
) -> list[m.Dewar]:
    wanted = g.recipe.shipments.dewars_per_shipment
    found = []
    for index in range(1, g.rng.randint(wanted.min, wanted.max) + 1):
        g.counters.dewars += 1
        found.append(
            m.Dewar(
                code=f"{shipment.split('_')[0]}_Dewar{index}"[:45],
                barCode=f"{g.barcode_prefix}{g.counters.dewars:06d}",
                dewarStatus="sent to User",
                storageLocation="STORES-OUT",
                firstExperiment=session.visit_number,
                containers=containers(g, proposal, session, studied),
            )
        )
    return found


def containers(g: GeneratorState, proposal: str, session: SessionPlan, studied: Studied) -> list[m.Container]:
    wanted = g.recipe.shipments.pucks_per_dewar
    return [
        container(g, proposal, session, studied)
        for _ in range(g.rng.randint(wanted.min, wanted.max))
    ]


def puck_type(g: GeneratorState, session: SessionPlan) -> str:
    accepted = session.beamline.sample_changer.puck_types
    weights: dict[str, float] = {k: w for k, w in g.recipe.shipments.puck_types.items() if k in accepted and w > 0}
    if not weights:  # the recipe check guarantees a fit for named changers; random ones too
        weights = {accepted[0]: 1.0}
    kinds = list(weights)
    return g.rng.choices(kinds, weights=[weights[k] for k in kinds])[0]


def container(g: GeneratorState, proposal: str, session: SessionPlan, studied: Studied) -> m.Container:
    g.counters.containers += 1
    kind = puck_type(g, session)
    capacity = PUCK_CAPACITY[kind]
    barcode = f"{g.barcode_prefix}P{g.counters.containers:05d}"
    loaded = session.puck_slots_used < session.beamline.sample_changer.puck_slots
    slot = None
    if loaded:
        session.puck_slots_used += 1
        slot = session.puck_slots_used
    pins = [
        sample(g, proposal, session, studied, barcode, position, slot)
        for position in occupied_positions(g, capacity)
    ]
    return m.Container(
        code=f"{kind[:4]}-{g.counters.containers:05d}",
        barcode=barcode,
        containerType=kind,  # type: ignore[arg-type]
        capacity=capacity,
        sampleChangerLocation=str(slot) if slot else None,
        beamlineLocation=session.beamline.name if slot else None,
        containerStatus="processing" if slot else "at facility",
        session=session.visit_number if slot else None,
        samples=pins,
    )


def occupied_positions(g: GeneratorState, capacity: int) -> list[int]:
    """Each position holds a pin with the recipe's fill ratio; nobody ships an empty puck."""
    fill = g.recipe.shipments.fill_ratio
    positions = [position for position in range(1, capacity + 1) if g.rng.random() < fill]
    return positions or [g.rng.randint(1, capacity)]


def sample(
    g: GeneratorState,
    proposal: str,
    session: SessionPlan,
    studied: Studied,
    container_barcode: str,
    position: int,
    slot: int | None,
) -> m.BLSample:
    protein, spec = g.rng.choice(studied)
    g.counters.pins += 1
    name = f"{protein.acronym}-{g.counters.pins:05d}"
    form = spec.crystal_form
    cell = jittered_cell(g.rng, form.cell, form.space_group)
    diffraction_limit = round(form.diffraction_limit * g.rng.uniform(1.0, 1.6), 2)
    experiment = experiment_type(g)
    code = f"{g.site}-PIN-{g.counters.pins:06d}"
    crystal = m.Crystal(
        protein=protein.acronym,
        name=f"{name}-xtal",
        spaceGroup=form.space_group.short_name,
        cell_a=cell.a, cell_b=cell.b, cell_c=cell.c,
        cell_alpha=cell.alpha, cell_beta=cell.beta, cell_gamma=cell.gamma,
        size_X=round(g.rng.uniform(20, 300), 0),
        size_Y=round(g.rng.uniform(20, 200), 0),
        size_Z=round(g.rng.uniform(10, 100), 0),
    )  # fmt: skip
    groups = []
    if slot is not None:
        context = SampleContext(
            proposal, session, protein.acronym, name, code, container_barcode, position, slot,
            form.space_group.short_name, diffraction_limit, experiment,
        )  # fmt: skip
        session.clock += whole_seconds(g.rng.uniform(60, 180))  # robot mounts and centres
        wanted = g.recipe.collections.per_sample
        groups = [
            collection_group(g, context, run, crystal)
            for run in range(1, g.rng.randint(wanted.min, wanted.max) + 1)
        ]
    return m.BLSample(
        name=name,
        code=code,
        location=position,
        loopType=g.rng.choice(LOOP_TYPES),
        holderLength=22.0,
        # Java ISPyB marks the samples selected for the beamline "processing"; here,
        # those that were collected. The others were never taken from their puck.
        blSampleStatus="processing" if groups else None,
        Crystal=crystal,
        DiffractionPlan=m.DiffractionPlan(
            experimentKind="SAD" if experiment == "SAD" else "OSC",
            requiredResolution=round(diffraction_limit * 1.1, 1),
            requiredCompleteness=99.0,
            requiredMultiplicity=4.0 if experiment != "SAD" else 8.0,
            anomalousScatterer="Se" if experiment == "SAD" else None,
        ),
        dataCollectionGroups=groups,
    )


def experiment_type(g: GeneratorState) -> str:
    weights = g.recipe.collections.experiment_types
    kinds = list(weights)
    return g.rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
