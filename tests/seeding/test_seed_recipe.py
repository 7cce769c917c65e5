"""Recipes load like profiles: a mistake names the file, the key path and the reason."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scicatlive.errors import ConfigError
from scicatlive.paths import display, seeds_dir
from scicatlive.seeding import bundled_recipes, load_recipe

Mutation = Callable[[dict[str, Any]], None]
BASE: dict[str, Any] = yaml.safe_load((seeds_dir() / "tiny.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "my-recipe.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_four_bundled_recipes_load() -> None:
    assert sorted(bundled_recipes()) == ["demo", "large", "tiny", "training"]
    for name in bundled_recipes():
        recipe = load_recipe(name)
        assert recipe.name == name


def test_a_file_path_works_and_names_the_recipe_after_the_file(tmp_path: Path) -> None:
    recipe = load_recipe(str(_write(tmp_path, BASE)))
    assert recipe.name == "my-recipe"
    assert load_recipe(_write(tmp_path, {**BASE, "name": "mine"})).name == "mine"


def test_an_unknown_name_lists_the_bundled_recipes() -> None:
    with pytest.raises(ConfigError) as caught:
        load_recipe("huge")
    assert (
        caught.value.message
        == "recipe: no recipe named 'huge'; bundled recipes: demo, large, tiny, training"
    )


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_recipe(str(tmp_path / "nowhere.yaml"))


def test_a_single_number_is_a_range() -> None:
    recipe = load_recipe("tiny")
    assert (recipe.proposals.sessions.min, recipe.proposals.sessions.max) == (1, 1)


def _set(path: str, value: object) -> Mutation:
    """Set ``a.b.c`` (list indexes as numbers) in the recipe mapping."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(leaf) if leaf.isdigit() else leaf] = value

    return mutate


def _drop(key: str) -> Mutation:
    return lambda data: data.pop(key)


def _duplicate_beamline(data: dict[str, Any]) -> None:
    data["beamlines"].append(dict(data["beamlines"][0]))


BAD_RECIPES: list[tuple[str, Mutation, str]] = [
    ("unknown top key", _set("colour", 1), "colour: unknown key; remove it or check its spelling"),
    ("unknown nested key", _set("shipments.fil_ratio", 0.5),
     "shipments.fil_ratio: unknown key; remove it or check its spelling"),
    ("missing seed", _drop("seed"), "seed: required key is missing"),
    ("range upside down", _set("proposals.sessions", {"min": 3, "max": 1}),
     "proposals.sessions: min 3 is greater than max 1"),
    ("no sessions", _set("proposals.sessions", 0), "proposals.sessions: min must be at least 1"),
    ("unknown detector", _set("beamlines.0.detector", "Eiger 17M"),
     ("beamlines[0].detector: unknown detector 'Eiger 17M'; known: Eiger 16M, Eiger 4M, Eiger 9M, "
      "Eiger2 X 16M, Pilatus 2M, Pilatus 6M")),
    ("unknown changer", _set("beamlines.0.sample_changer", "Robot9000"),
     "beamlines[0].sample_changer: unknown sample changer 'Robot9000'; known: CATS, FlexHCD, ISARA, P11SC, SC3"),
    ("changer cannot take the pucks", _set("beamlines.0.sample_changer", "SC3"),
     "beamlines[0].sample_changer: SC3 takes only Spinepuck pucks, but shipments.puck_types offers Unipuck"),
    ("energy range upside down", _set("beamlines.0.energy_kev", {"min": 20, "max": 10}),
     "beamlines[0].energy_kev: min 20.0 keV must be below max 10.0 keV"),
    ("two beamlines of one name", _duplicate_beamline,
     "beamlines: beamline names must be unique: BioMAX appears twice"),
    ("no beamline", _set("beamlines", []),
     "beamlines: list should have at least 1 item after validation, not 0, got a list"),
    ("fill ratio above 1", _set("shipments.fill_ratio", 1.5),
     "shipments.fill_ratio: input should be less than or equal to 1, got 1.5"),
    ("negative failure rate", _set("collections.failure_rate", -0.1),
     "collections.failure_rate: input should be greater than or equal to 0, got -0.1"),
    ("a cane is not a puck", _set("shipments.puck_types", {"Cane": 1}),
     "shipments.puck_types.Cane: input should be 'Unipuck' or 'Spinepuck', got 'Cane'"),
    ("unsupported experiment", _set("collections.experiment_types", {"MAD": 1}),
     "collections.experiment_types.MAD: input should be 'OSC', 'SAD' or 'Helical', got 'MAD'"),
    ("workflow shares above all groups", _set("collections.workflows", {"MXPressE": 0.7, "XrayCentering": 0.5}),
     "collections.workflows: the shares of MXPressE, XrayCentering add up to 1.2, more than all OSC and SAD groups (1)"),
    ("a workflow that collects no data set", _set("collections.workflows", {"MeshScan": 0.1}),
     ("collections.workflows.MeshScan: input should be 'MXPressE', 'MXPressO', 'MXPressA', 'XrayCentering' "
      "or 'HelicalCharacterisation', got 'MeshScan'")),
    ("a workflow share above 1", _set("collections.workflows", {"HelicalCharacterisation": 1.5}),
     "collections.workflows.HelicalCharacterisation: input should be less than or equal to 1, got 1.5"),
    ("all weights zero", _set("collections.experiment_types", {"OSC": 0}),
     "collections.experiment_types: at least one weight must be positive"),
    ("more runs than programs", _set("processing.per_collection", {"min": 1, "max": 4}),
     "processing.per_collection: max 4 exceeds the 3 programs (each program runs at most once per data collection)"),
    ("program twice", _set("processing.programs", ["fast_dp", "fast_dp"]),
     "processing.programs: each program may appear once; listed again: fast_dp"),
    ("more members than users", _set("people.members_per_proposal", {"min": 1, "max": 7}),
     "people.members_per_proposal: max 7 exceeds the 6 users"),
    ("lower-case site", _set("facility.site", "scicat live"),
     "facility.site: 'scicat live' does not match the required pattern ^[A-Z][A-Z0-9]{1,15}$"),
    ("count not a number", _set("proposals.count", "many"),
     "proposals.count: input should be a valid integer, unable to parse string as an integer, got 'many'"),
    ("date not a date", _set("start_date", "yesterday"),
     "start_date: input should be a valid date or datetime, input is too short, got 'yesterday'"),
    ("unknown layout", _set("catalogue.sample_layout", "nested"),
     "catalogue.sample_layout: input should be 'hierarchical' or 'flat', got 'nested'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutation", "expected"), [case[1:] for case in BAD_RECIPES], ids=[c[0] for c in BAD_RECIPES]
)
def test_bad_recipes_say_file_key_and_reason(
    tmp_path: Path, mutation: Mutation, expected: str
) -> None:
    data = copy.deepcopy(BASE)
    mutation(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        load_recipe(path)
    assert caught.value.message == f"{display(path)}: {expected}"


def test_a_recipe_must_be_a_mapping(tmp_path: Path) -> None:
    path = _write(tmp_path, ["seed", 1])
    with pytest.raises(ConfigError) as caught:
        load_recipe(path)
    assert (
        caught.value.message == f"{display(path)}: must be a mapping of keys to values, not a list"
    )
