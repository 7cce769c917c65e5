"""Generate a coherent MX facility from a recipe: people, proposals, samples, data.

recipe = load_recipe("tiny")
graph = generate(recipe)                      # ISPyB-shaped, deterministic
payloads = map_graph(graph, recipe.mapping_options())   # scicatlive.mapping
"""

from __future__ import annotations

from scicatlive.domain.model import FacilityGraph
from scicatlive.seeding.generate import generate
from scicatlive.seeding.recipe import Recipe, bundled_recipes, load_recipe, parse_recipe

__all__ = ["FacilityGraph", "Recipe", "bundled_recipes", "generate", "load_recipe", "parse_recipe"]
