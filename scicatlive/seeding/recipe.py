"""Seed recipes: how big and how messy the generated MX facility is.

A recipe is a YAML file (``seeds/<name>.yaml`` or the user's own). It is
checked like a profile: an unknown key, a wrong type or an impossible value
stops with ``file: key.path: reason``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from scicatlive.defaults import DEFAULT_PID_PREFIX, DEFAULT_SITE
from scicatlive.domain.instruments import DETECTORS, SAMPLE_CHANGERS
from scicatlive.errors import ConfigError
from scicatlive.mapping.options import MappingOptions, SampleLayout
from scicatlive.paths import display, seeds_dir
from scicatlive.validation import StrictModel, load_yaml_mapping, validate

PuckType = Literal["Unipuck", "Spinepuck"]
ExperimentType = Literal["OSC", "SAD", "Helical"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


def _single_value_as_range(value: Any) -> Any:
    """``sessions: 2`` is short for ``sessions: {min: 2, max: 2}``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"min": value, "max": value}
    return value


class _IntRange(StrictModel):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> _IntRange:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        return self


class _EnergyRange(StrictModel):
    min: float = Field(gt=3.0, le=40.0, description="keV")
    max: float = Field(gt=3.0, le=40.0, description="keV")

    @model_validator(mode="after")
    def _ordered(self) -> _EnergyRange:
        if self.min >= self.max:
            raise ValueError(f"min {self.min} keV must be below max {self.max} keV")
        return self


IntRange = Annotated[_IntRange, BeforeValidator(_single_value_as_range)]
EnergyRange = _EnergyRange


def _weights(value: dict[Any, float]) -> dict[Any, float]:
    if not value:
        raise ValueError("needs at least one entry")
    negative = [key for key, weight in value.items() if weight < 0]
    if negative:
        raise ValueError(f"weights cannot be negative: {', '.join(negative)}")
    if sum(value.values()) <= 0:
        raise ValueError("at least one weight must be positive")
    return value


class Facility(StrictModel):
    name: str = Field(default="SciCat Live Light Source", min_length=1)
    site: str = Field(
        default=DEFAULT_SITE, pattern=r"^[A-Z][A-Z0-9]{1,15}$",
        description="Short upper-case facility name: dewar barcodes, creationLocation",
    )  # fmt: skip
    proposal_code: str = Field(default="MX", pattern=r"^[A-Za-z]{1,4}$")
    data_root: str = Field(default="/data/visitors", pattern=r"^/[\w./-]*$")
    locales: list[str] = Field(
        default_factory=lambda: ["en_GB", "de_DE", "fr_FR", "it_IT", "sv_SE", "es_ES"], min_length=1
    )


class BeamlineRecipe(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
    detector: str | None = Field(default=None, description="chosen at random when omitted")
    sample_changer: str | None = None
    energy_kev: EnergyRange | None = None

    @field_validator("detector")
    @classmethod
    def _known_detector(cls, value: str | None) -> str | None:
        if value is not None and value not in DETECTORS:
            raise ValueError(f"unknown detector {value!r}; known: {', '.join(sorted(DETECTORS))}")
        return value

    @field_validator("sample_changer")
    @classmethod
    def _known_changer(cls, value: str | None) -> str | None:
        if value is not None and value not in SAMPLE_CHANGERS:
            known = ", ".join(sorted(SAMPLE_CHANGERS))
            raise ValueError(f"unknown sample changer {value!r}; known: {known}")
        return value


class People(StrictModel):
    users: int = Field(ge=1, description="facility users; proposals draw their members from them")
    members_per_proposal: IntRange = Field(description="including the principal investigator")
    staff: int = Field(default=2, ge=1, description="beamline scientists (local contacts)")
    staff_group: str = Field(default="mx-staff", pattern=r"^[\w.-]+$")

    @field_validator("members_per_proposal")
    @classmethod
    def _enough_users(cls, value: _IntRange, info: ValidationInfo) -> _IntRange:
        if value.min < 1:
            raise ValueError("min must be at least 1 (the principal investigator)")
        users = info.data.get("users")
        if users is not None and value.max > users:
            raise ValueError(f"max {value.max} exceeds the {users} users")
        return value


class Proposals(StrictModel):
    count: int = Field(ge=1, le=9999)
    sessions: IntRange
    proteins: IntRange
    known_protein_fraction: Fraction = Field(
        default=0.3, description="share of proteins taken from the classic test proteins"
    )

    @field_validator("sessions", "proteins")
    @classmethod
    def _at_least_one(cls, value: _IntRange) -> _IntRange:
        if value.min < 1:
            raise ValueError("min must be at least 1")
        return value


class Shipments(StrictModel):
    per_session: IntRange = Field(default_factory=lambda: _IntRange(min=1, max=1))
    dewars_per_shipment: IntRange
    pucks_per_dewar: IntRange
    puck_types: dict[PuckType, float] = Field(
        default_factory=lambda: dict[PuckType, float]({"Unipuck": 1.0}), description="relative weights"
    )
    fill_ratio: float = Field(
        gt=0.0, le=1.0, description="expected share of puck positions holding a sample"
    )

    @field_validator("puck_types")
    @classmethod
    def _puck_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _weights(value)


class Collections(StrictModel):
    per_sample: IntRange
    failure_rate: Fraction = 0.0
    experiment_types: dict[ExperimentType, float] = Field(
        default_factory=lambda: dict[ExperimentType, float]({"OSC": 1.0}), description="relative weights"
    )

    @field_validator("experiment_types")
    @classmethod
    def _experiment_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _weights(value)


class Processing(StrictModel):
    programs: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(min_length=1)
    per_collection: IntRange
    failure_rate: Fraction = 0.0

    @field_validator("programs")
    @classmethod
    def _distinct_programs(cls, value: list[str]) -> list[str]:
        duplicates = [p for index, p in enumerate(value) if p in value[:index]]
        if duplicates:
            raise ValueError(f"each program may appear once; listed again: {', '.join(duplicates)}")
        return value

    @field_validator("per_collection")
    @classmethod
    def _enough_programs(cls, value: _IntRange, info: ValidationInfo) -> _IntRange:
        programs = info.data.get("programs")
        if programs is not None and value.max > len(programs):
            raise ValueError(
                f"max {value.max} exceeds the {len(programs)} programs "
                "(each program runs at most once per data collection)"
            )
        return value


class Catalogue(StrictModel):
    published_fraction: Fraction = 0.0
    sample_layout: SampleLayout = "hierarchical"


class Recipe(StrictModel):
    name: str | None = Field(default=None, description="defaults to the file name")
    description: str = ""
    seed: int = Field(ge=0)
    start_date: date
    period_days: int = Field(
        default=365, ge=1, le=3650, description="sessions spread over this many days"
    )
    facility: Facility = Field(default_factory=Facility)
    beamlines: list[BeamlineRecipe] = Field(min_length=1)
    people: People
    proposals: Proposals
    shipments: Shipments
    collections: Collections
    processing: Processing
    catalogue: Catalogue = Field(default_factory=Catalogue)

    def mapping_options(
        self, *, pid_prefix: str = DEFAULT_PID_PREFIX, sample_layout: SampleLayout | None = None
    ) -> MappingOptions:
        """The recipe's mapping choices; ``sample_layout`` overrides the recipe (a profile setting)."""
        return MappingOptions(
            pid_prefix=pid_prefix, sample_layout=sample_layout or self.catalogue.sample_layout
        )

    @field_validator("beamlines")
    @classmethod
    def _unique_beamlines(cls, value: list[BeamlineRecipe]) -> list[BeamlineRecipe]:
        names = [beamline.name for beamline in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(
                f"beamline names must be unique: {', '.join(duplicates)} appears twice"
            )
        return value


def parse_recipe(data: Any, source: str) -> Recipe:
    """Validate a recipe mapping; cross-section problems name their key too."""
    recipe = validate(Recipe, data, source)
    _check_puck_types_fit(recipe, source)
    return recipe


def _check_puck_types_fit(recipe: Recipe, source: str) -> None:
    offered = [kind for kind, weight in recipe.shipments.puck_types.items() if weight > 0]
    for index, beamline in enumerate(recipe.beamlines):
        if beamline.sample_changer is None:
            continue
        accepted = SAMPLE_CHANGERS[beamline.sample_changer].puck_types
        if not set(offered) & set(accepted):
            raise ConfigError(
                f"{source}: beamlines[{index}].sample_changer",
                f"{beamline.sample_changer} takes only {', '.join(accepted)} pucks, "
                f"but shipments.puck_types offers {', '.join(offered)}",
            )


def bundled_recipes() -> dict[str, Path]:
    """Recipe name → file, for the recipes shipped in ``seeds/``."""
    folder = seeds_dir()
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def locate_recipe(reference: str) -> Path:
    """A bundled recipe name (``tiny``) or a path to a YAML file."""
    if "/" in reference or reference.endswith((".yaml", ".yml")):
        path = Path(reference).expanduser()
        if not path.is_file():
            raise ConfigError(reference, f"recipe file {display(path)} does not exist")
        return path
    known = bundled_recipes()
    if reference in known:
        return known[reference]
    raise ConfigError(
        "recipe",
        f"no recipe named {reference!r}; bundled recipes: {', '.join(known) or 'none'}",
        hint="pass a file instead, e.g. ./my-recipe.yaml",
    )


def load_recipe(name_or_path: str | Path) -> Recipe:
    """Load and check a recipe by bundled name or file path."""
    path = name_or_path if isinstance(name_or_path, Path) else locate_recipe(name_or_path)
    if isinstance(name_or_path, Path) and not path.is_file():
        raise ConfigError(display(path), "file not found")
    recipe = parse_recipe(load_yaml_mapping(path), display(path))
    return recipe if recipe.name else recipe.model_copy(update={"name": path.stem})
