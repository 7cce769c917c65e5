"""Turn a recipe into a facility graph, deterministically.

The generator walks the facility the way it happens: people and proposals
(:mod:`.people`), sessions on beamlines, shipments that arrive for a session and
pucks loaded into the beamline's sample changer (:mod:`.shipments`), crystals
mounted one after another and collected (:mod:`.collections`), and the
auto-processing that follows each successful collection (:mod:`.processing`).

The same recipe and seed always give the same graph, byte for byte, whether it
is built whole (:func:`generate`) or proposal by proposal
(:func:`generate_stream`, whose memory stays flat however large the recipe).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scicatlive.domain import model as m
from scicatlive.domain.derive import detector_model
from scicatlive.domain.instruments import DETECTORS, SAMPLE_CHANGERS, SampleChanger
from scicatlive.seeding.generator.people import laboratory, person, proposal
from scicatlive.seeding.generator.state import GeneratorState
from scicatlive.seeding.providers.beamlines import BeamlineSpec
from scicatlive.seeding.recipe import Recipe

__all__ = ["FacilityStream", "generate", "generate_stream"]


@dataclass
class FacilityStream:
    """A facility whose proposals are generated one at a time, on demand.

    ``facility`` holds everything but the proposals (beamlines, people, staff);
    iterate ``proposals`` exactly once, in order.
    """

    facility: m.FacilityGraph
    proposals: Iterator[m.Proposal]
    count: int


def generate(recipe: Recipe) -> m.FacilityGraph:
    """The facility a recipe describes; the same recipe always gives the same graph."""
    stream = generate_stream(recipe)
    return stream.facility.model_copy(update={"proposals": list(stream.proposals)})


def generate_stream(recipe: Recipe) -> FacilityStream:
    g = GeneratorState.for_recipe(recipe)
    g.beamlines = [beamline_spec(g, index) for index in range(len(recipe.beamlines))]
    people = recipe.people
    laboratories = [laboratory(g) for _ in range(max(1, people.users // 3))]
    used_logins: set[str] = set()
    staff = [person(g, g.rng.choice(laboratories), used_logins) for _ in range(people.staff)]
    users = [person(g, g.rng.choice(laboratories), used_logins) for _ in range(people.users)]
    numbers = sorted(g.rng.sample(range(1, 10_000), recipe.proposals.count))
    facility = m.FacilityGraph(
        recipe=recipe.name or "recipe",
        seed=recipe.seed,
        facility=m.Facility(
            name=recipe.facility.name, site=g.site, dataRoot=recipe.facility.data_root
        ),
        staffGroup=people.staff_group,
        beamlines=[beamline_model(spec) for spec in g.beamlines],
        persons=[*staff, *users],
        staff=[member.login for member in staff],
        proposals=[],
    )
    proposals = (proposal(g, number, users, staff) for number in numbers)
    return FacilityStream(facility, proposals, len(numbers))


def beamline_spec(g: GeneratorState, index: int) -> BeamlineSpec:
    wanted = g.recipe.beamlines[index]
    drawn = g.fake.mx_beamline(wanted.name)
    return BeamlineSpec(
        name=wanted.name,
        detector=DETECTORS[wanted.detector] if wanted.detector else drawn.detector,
        sample_changer=(
            SAMPLE_CHANGERS[wanted.sample_changer]
            if wanted.sample_changer
            else changer_for_pucks(g)
        ),
        energy_min_kev=wanted.energy_kev.min if wanted.energy_kev else drawn.energy_min_kev,
        energy_max_kev=wanted.energy_kev.max if wanted.energy_kev else drawn.energy_max_kev,
    )


def changer_for_pucks(g: GeneratorState) -> SampleChanger:
    offered = {kind for kind, weight in g.recipe.shipments.puck_types.items() if weight > 0}
    fitting = [
        name for name in sorted(SAMPLE_CHANGERS) if offered & set(SAMPLE_CHANGERS[name].puck_types)
    ]
    return SAMPLE_CHANGERS[g.rng.choice(fitting)]


def beamline_model(spec: BeamlineSpec) -> m.Beamline:
    return m.Beamline(
        beamLineName=spec.name,
        Detector=detector_model(spec.detector),
        sampleChangerType=spec.sample_changer.name,
        sampleChangerCapacity=spec.sample_changer.puck_slots,
        energyMin=spec.energy_min_kev,
        energyMax=spec.energy_max_kev,
    )
