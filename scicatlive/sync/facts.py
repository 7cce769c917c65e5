"""What the facility graph needs that ISPyB does not hold: the facility, and its staff group."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from scicatlive.seeding.recipe import Facility as RecipeFacility
from scicatlive.seeding.recipe import People, Recipe


class FacilityFacts(BaseModel):
    """What the graph needs that ISPyB does not hold: the facility, and its staff group.

    ``site`` seeds every id: it must be the site ``seed`` used (the recipe's
    ``facility.site``; the bundled recipes and the profiles' ``stack.site`` default
    to ``SCICATLIVE``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    site: str = Field(default=RecipeFacility().site, min_length=1)
    name: str = RecipeFacility().name
    data_root: str = RecipeFacility().data_root
    staff_group: str = str(People.model_fields["staff_group"].default)

    @classmethod
    def from_recipe(cls, recipe: Recipe) -> FacilityFacts:
        """The facts of the facility a recipe generated (so sync matches that seed exactly)."""
        return cls(
            site=recipe.facility.site,
            name=recipe.facility.name,
            data_root=recipe.facility.data_root,
            staff_group=recipe.people.staff_group,
        )
