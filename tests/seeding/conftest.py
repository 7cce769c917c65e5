"""Shared seeding fixtures: the bundled recipes, generated once per test session."""

from __future__ import annotations

import pytest

from scicatlive.mapping import MappingOptions, SciCatPayloads, map_graph
from scicatlive.seeding import FacilityGraph, Recipe, generate, load_recipe


@pytest.fixture(scope="session")
def tiny_recipe() -> Recipe:
    return load_recipe("tiny")


@pytest.fixture(scope="session")
def tiny_graph(tiny_recipe: Recipe) -> FacilityGraph:
    return generate(tiny_recipe)


@pytest.fixture(scope="session")
def demo_recipe() -> Recipe:
    return load_recipe("demo")


@pytest.fixture(scope="session")
def demo_graph(demo_recipe: Recipe) -> FacilityGraph:
    """About 2,000 datasets: enough for the statistical checks."""
    return generate(demo_recipe)


@pytest.fixture(scope="session")
def demo_payloads(demo_graph: FacilityGraph, demo_recipe: Recipe) -> SciCatPayloads:
    return map_graph(demo_graph, demo_recipe.mapping_options(pid_prefix="20.500.12269"))


@pytest.fixture(scope="session")
def training_graph() -> FacilityGraph:
    """Has a Pilatus beamline (CBF files) and Spinepucks."""
    return generate(load_recipe("training"))
