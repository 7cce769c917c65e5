"""The YAML view configuration as typed models: which sections a dataset shows, and how.

The format is documented in ``docs/dataset-views.md`` with the bundled MX configuration
(``mx.yaml``) as its example; :mod:`frontend_lite.views.config` loads and checks it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SOURCES = ("metadata", "dataset", "sample", "container", "instrument", "proposal")
Source = Literal["metadata", "dataset", "sample", "container", "instrument", "proposal"]
LinkKind = Literal["sample", "container", "session", "proposal", "dataset"]
Format = Literal["auto", "text", "number", "scientific", "time", "list"]


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class FieldSpec(Spec):
    """One labelled value, read from exactly one place."""

    label: str = Field(min_length=1)
    metadata: str | None = Field(default=None, description="a scientificMetadata key (dotted)")
    dataset: str | None = Field(default=None, description="a dataset property (pid, startTime…)")
    sample: str | None = Field(default=None, description="the sample's characteristic or property")
    container: str | None = Field(default=None, description="the same of the sample's container")
    instrument: str | None = Field(default=None, description="an instrument customMetadata key")
    proposal: str | None = Field(default=None, description="a proposal property")
    unit: str | None = Field(default=None, description="show in this unit (converted if needed)")
    digits: int | None = Field(default=None, ge=0, le=12, description="decimals shown")
    format: Format = "auto"
    link: LinkKind | None = None
    copy_button: bool = Field(default=False, alias="copy")

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        given = [name for name in SOURCES if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one source ({', '.join(SOURCES)}); "
                + (f"found {', '.join(given)}" if given else "found none")
            )
        return self

    @property
    def source(self) -> tuple[Source, str]:
        for name in SOURCES:
            key = getattr(self, name)
            if key is not None:
                return name, key  # type: ignore[return-value]
        raise AssertionError("validated: one source is set")


class When(Spec):
    """Every condition given must hold; within one list, any entry is enough (keys: all)."""

    type: list[str] | None = None
    keywords: list[str] | None = Field(default=None, description="any of these keywords")
    techniques: list[str] | None = Field(default=None, description="any technique name or pid")
    metadata: list[str] | None = Field(default=None, description="all these metadata keys")

    _lists = field_validator("type", "keywords", "techniques", "metadata", mode="before")(_as_list)


class _Section(Spec):
    title: str | None = None


class GenericSection(_Section):
    """The generic view's cards, by name."""

    type: Literal["general", "creator", "files", "related-documents"]


class FieldsSection(_Section):
    type: Literal["fields"]
    fields: list[FieldSpec] = Field(min_length=1)


class ProcessingSection(_Section):
    """The auto-processing table: every derived dataset whose input is this one."""

    type: Literal["processing"]


class StatisticsSection(_Section):
    """The same statistics for this (derived) dataset alone."""

    type: Literal["statistics"]


class InputsSection(_Section):
    type: Literal["inputs"]


class LogsSection(_Section):
    """The dataset's attachments: text shown as text, pictures as pictures."""

    type: Literal["logs"]
    limit: int = Field(default=20, ge=1, le=200)


class MetadataSection(_Section):
    """Every scientific metadata entry as a name/value/unit table."""

    type: Literal["metadata"]
    collapsed: bool = False


Section = Annotated[
    GenericSection
    | FieldsSection
    | ProcessingSection
    | StatisticsSection
    | InputsSection
    | LogsSection
    | MetadataSection,
    Field(discriminator="type"),
]
SECTION_TYPES = frozenset(
    {
        "general",
        "creator",
        "files",
        "related-documents",
        "fields",
        "processing",
        "statistics",
        "inputs",
        "logs",
        "metadata",
    }
)
WIDE_SECTIONS = frozenset({"processing", "statistics", "inputs", "logs", "metadata"})
DEFAULT_TITLES = {
    "general": "General Information",
    "creator": "Creator Information",
    "files": "File Information",
    "related-documents": "Related Documents",
    "fields": "Details",
    "processing": "Auto-processing",
    "statistics": "Processing statistics",
    "inputs": "Input datasets",
    "logs": "Logs",
    "metadata": "Scientific Metadata",
}


class View(Spec):
    name: str
    title: str | None = None
    when: When = When()
    sections: list[Section] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("must be lowercase letters, digits, - or _ (e.g. mx-raw)")
        return value

    def needs(self, *kinds: str) -> bool:
        return any(section.type in kinds for section in self.sections)


class ShellSpec(Spec):
    name: str
    label: str
    key: str = Field(description="the metadata key holding this shell's statistics")


class StatisticSpec(Spec):
    """A row of the statistics: one key of each shell, or a range ``low``–``high``."""

    label: str
    key: str | None = None
    low: str | None = None
    high: str | None = None
    digits: int | None = Field(default=None, ge=0, le=12)

    @model_validator(mode="after")
    def _key_or_range(self) -> StatisticSpec:
        if (self.key is None) == (self.low is None or self.high is None):
            raise ValueError("give either key, or both low and high")
        return self


class RankRule(Spec):
    shell: str
    key: str
    better: Literal["higher", "lower"] = "higher"
    symmetry_first: bool = True


class ProcessingSpec(Spec):
    """Where a derived dataset keeps its pipeline, status, cell and statistics."""

    pipeline: str = "processingPrograms"
    status: str = "processingStatus"
    message: str | None = "processingMessage"
    success: list[str] = ["SUCCESS"]
    space_group: str = "spaceGroup"
    cell: list[str] = Field(
        default=["cell_a", "cell_b", "cell_c", "cell_alpha", "cell_beta", "cell_gamma"],
        min_length=6,
        max_length=6,
    )
    anomalous: str | None = "anomalous"
    shells: list[ShellSpec] = Field(min_length=1)
    statistics: list[StatisticSpec] = Field(min_length=1)
    best: RankRule
    limit: int = Field(default=100, ge=1, le=1000, description="derived datasets read per raw one")

    @model_validator(mode="after")
    def _consistent(self) -> ProcessingSpec:
        names = [shell.name for shell in self.shells]
        if len(set(names)) != len(names):
            raise ValueError("shells: every name must be different")
        if self.best.shell not in names:
            raise ValueError(
                f"best.shell: {self.best.shell!r} is not one of the shells ({', '.join(names)})"
            )
        return self


class SessionSpec(Spec):
    """The session page: raw datasets whose ``key`` metadata names the session."""

    key: str = "session"
    columns: list[FieldSpec] = Field(min_length=1)
    best_statistics: list[str] = Field(
        default=["resolutionLimitHigh", "completeness", "meanIOverSigI"],
        description="statistics (their key, or the high/low of a range) shown for the best run",
    )
    limit: int = Field(default=500, ge=1, le=5000)


class ChangerGeometry(Spec):
    cells: int = Field(ge=1, le=100)
    positions: int = Field(ge=1, le=100, description="container positions in each cell")


class ShipmentSpec(Spec):
    """Where the shipment page finds statuses and sample-changer places."""

    shipment_status: str = "Shipping_shippingStatus"
    parcel_status: str = "Dewar_dewarStatus"
    container_status: str = "Container_containerStatus"
    sample_status: str = "BLSample_blSampleStatus"
    beamline: str = "Container_beamlineLocation"
    changer_location: str = "Container_sampleChangerLocation"
    changer_type: str = Field(
        default="sampleChangerType", description="the instrument's customMetadata key"
    )
    changers: dict[str, ChangerGeometry] = {}


class ViewConfig(Spec):
    version: Literal[1] = 1
    views: list[View] = []
    processing: ProcessingSpec | None = None
    session: SessionSpec | None = None
    shipment: ShipmentSpec = ShipmentSpec()

    @model_validator(mode="after")
    def _consistent(self) -> ViewConfig:
        names = [view.name for view in self.views]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"views: names must differ; repeated: {', '.join(duplicates)}")
        if self.processing is not None and self.session is not None:
            keys = {k for s in self.processing.statistics for k in (s.key, s.low, s.high) if k}
            unknown = [k for k in self.session.best_statistics if k not in keys]
            if unknown:
                raise ValueError(
                    f"session.best_statistics: {', '.join(unknown)} is not a statistic of processing"
                )
        if self.processing is None:
            for index, view in enumerate(self.views):
                if view.needs("processing", "statistics"):
                    raise ValueError(
                        f"views[{index}] ({view.name}) shows processing or statistics, "
                        "so the configuration needs a processing block"
                    )
        return self
