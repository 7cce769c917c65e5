"""The same recipe and seed give the same facility, ids and pids; another seed does not."""

from __future__ import annotations

import random

from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.seeding import FacilityGraph, Recipe, generate


def _pids(graph: FacilityGraph, recipe: Recipe) -> list[str]:
    payloads = map_graph(graph, recipe.mapping_options())
    return [d.pid for d in payloads.raw_datasets] + [d.pid for d in payloads.derived_datasets]


def test_same_recipe_gives_the_identical_graph_and_payloads(
    tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    again = generate(tiny_recipe)
    assert again.model_dump_json() == tiny_graph.model_dump_json()
    options = tiny_recipe.mapping_options()
    assert (
        map_graph(again, options).model_dump_json()
        == map_graph(tiny_graph, options).model_dump_json()
    )


def test_global_random_state_neither_matters_nor_changes(
    tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    random.seed(12345)
    state = random.getstate()
    assert generate(tiny_recipe).model_dump_json() == tiny_graph.model_dump_json()
    assert random.getstate() == state


def test_a_different_seed_gives_a_different_facility(
    tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    other = generate(tiny_recipe.model_copy(update={"seed": tiny_recipe.seed + 1}))
    assert other.model_dump_json() != tiny_graph.model_dump_json()
    assert {p.proposal for p in other.proposals} != {p.proposal for p in tiny_graph.proposals}
    assert set(_pids(other, tiny_recipe)).isdisjoint(_pids(tiny_graph, tiny_recipe))


def test_ids_are_unique_and_stable_across_runs(
    tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    pids = _pids(tiny_graph, tiny_recipe)
    assert len(pids) == len(set(pids))
    assert pids == _pids(generate(tiny_recipe), tiny_recipe)
    assert all(pid.startswith("PID.SAMPLE.PREFIX/") for pid in pids)


def test_dates_come_from_the_recipe_not_the_clock(
    tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    later = tiny_recipe.model_copy(update={"start_date": tiny_recipe.start_date.replace(year=2030)})
    shifted = generate(later)
    first = tiny_graph.proposals[0].sessions[0].startDate
    assert (
        shifted.proposals[0].sessions[0].startDate.year - first.year
        == 2030 - tiny_recipe.start_date.year
    )
    for proposal in tiny_graph.proposals:
        for session in proposal.sessions:
            offset = (session.startDate.date() - tiny_recipe.start_date).days
            assert 0 <= offset < tiny_recipe.period_days


def test_the_same_seed_gives_the_same_facility_in_every_process() -> None:
    """Hash randomisation must not reach the data: Faker builds some word lists from sets."""
    import subprocess
    import sys

    program = (
        "import hashlib; from scicatlive.seeding import generate, load_recipe; "
        "print(hashlib.sha256(generate(load_recipe('demo')).model_dump_json().encode()).hexdigest())"
    )
    digests = {
        subprocess.run([sys.executable, "-c", program], env={"PYTHONHASHSEED": seed, "PATH": ""},
                       capture_output=True, text=True, check=True).stdout  # fmt: skip
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
