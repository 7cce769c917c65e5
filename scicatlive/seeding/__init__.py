"""Generate a coherent MX facility from a recipe: people, proposals, samples, data.

recipe = load_recipe("tiny")
graph = generate(recipe)                      # ISPyB-shaped, deterministic
payloads = map_graph(graph, recipe.mapping_options())   # scicatlive.mapping
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scicatlive.domain.model import FacilityGraph
    from scicatlive.seeding.generator import generate
    from scicatlive.seeding.recipe import Recipe, bundled_recipes, load_recipe, parse_recipe

# Loaded on first use: `up` reads the profile's recipe from this package before it starts a
# stack, and must not pay for the generator and Faker (≈ 0.6 s) unless it seeds.
_EXPORTS = {
    "FacilityGraph": "scicatlive.domain.model", "generate": "scicatlive.seeding.generator",
    "Recipe": "scicatlive.seeding.recipe", "bundled_recipes": "scicatlive.seeding.recipe",
    "load_recipe": "scicatlive.seeding.recipe", "parse_recipe": "scicatlive.seeding.recipe",
}
__all__ = ["FacilityGraph", "Recipe", "bundled_recipes", "generate", "load_recipe", "parse_recipe"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    # Importing the subpackage `generate` binds the module to that name here: the function wins.
    globals()[name] = value
    return value
