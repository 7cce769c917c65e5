"""What every part of the generator shares: the recipe, its random streams, Faker, counters.

All randomness comes from ``random.Random(seed)`` and Faker instances seeded from it,
drawn in a fixed order; dates count from the recipe's ``start_date``. Values for fields
added to the model later (workflows, ISa, SigAno) come from a second stream, ``later``,
so that adding them leaves everything else a seed made as it was: the same people,
proposals and samples, and a training room's printed accounts still valid.
Nothing reads the clock or the global random state.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from faker import Faker

from scicatlive.domain import model as m
from scicatlive.seeding.providers import PROVIDERS
from scicatlive.seeding.providers.beamlines import BeamlineSpec
from scicatlive.seeding.recipe import Recipe


@dataclass
class Counters:
    """Facility-wide running numbers: barcodes and pin codes are unique across proposals."""

    dewars: int = 0
    containers: int = 0
    pins: int = 0


@dataclass
class SessionPlan:
    """A session while it is being filled: its clock advances with every mount and sweep."""

    visit_number: int
    beamline: BeamlineSpec
    start: datetime
    operator: str
    persons: list[m.SessionPerson]
    clock: datetime
    puck_slots_used: int = 0


@dataclass
class GeneratorState:
    recipe: Recipe
    rng: Random
    later: Random
    fake: Faker
    people_fakers: dict[str, Faker]
    counters: Counters = field(default_factory=Counters)
    beamlines: list[BeamlineSpec] = field(default_factory=list)

    @classmethod
    def for_recipe(cls, recipe: Recipe) -> GeneratorState:
        return cls(
            recipe=recipe,
            rng=Random(recipe.seed),
            later=Random(f"{recipe.seed}:later-fields"),
            fake=new_faker(recipe.facility.locales[0], recipe.seed),
            people_fakers={
                locale: new_faker(locale, recipe.seed + index)
                for index, locale in enumerate(recipe.facility.locales)
            },
        )

    @property
    def site(self) -> str:
        return self.recipe.facility.site

    @property
    def barcode_prefix(self) -> str:
        # Barcodes are unique site-wide; a tag from the seed lets several
        # recipes share one stack without their dewars and pucks colliding.
        return f"{self.site}-{self.recipe.seed % 0xFFFF:04X}-"


def new_faker(locale: str, seed: int) -> Faker:
    fake = Faker(locale)
    for provider in PROVIDERS:
        fake.add_provider(provider)
    _fix_set_ordered_lists(fake)
    fake.seed_instance(seed)
    return fake


def _fix_set_ordered_lists(fake: Faker) -> None:
    """Sort the word lists Faker builds from a set, so that a seed means the same in every process.

    Faker's it_IT address provider makes ``cities`` from a set, whose order changes with
    ``PYTHONHASHSEED``; a seeded draw from it then differs from one process to the next.
    """
    for provider in fake.providers:
        cities = getattr(provider, "cities", None)
        if isinstance(cities, list):
            provider.cities = sorted(cities)


def whole_seconds(value: float) -> timedelta:
    """ISPyB's datetime columns keep whole seconds."""
    return timedelta(seconds=round(value))


def slug(text: str) -> str:
    return "".join(char if char.isalnum() else "_" for char in text).strip("_")


def ascii_letters(text: str) -> str:
    """Letters and digits of ``text`` without accents: safe for logins and e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain if char.isalnum())
