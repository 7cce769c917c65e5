"""What the frontend reads from the backend's replies (SciCat v3 shapes).

Every model keeps unknown keys (backends add fields between versions) and
tolerates missing optional ones; only the identifier of each record is required.
Times stay strings: they are shown, not computed with, and a backend's odd
format should still display.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .backend import BackendError


class BackendModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _null_lists(cls, value: Any, info: Any) -> Any:
        # Backends send null for empty arrays now and then; treat it as empty.
        field = cls.model_fields.get(info.field_name)
        if value is None and field is not None and field.default_factory is list:
            return []
        return value


class LoginReply(BackendModel):
    """``POST /api/v3/auth/login``: ``id`` is the access token (``access_token`` on newer backends)."""

    id: str | None = None
    access_token: str | None = None
    userId: str | None = None
    expires_in: float | None = None
    user: dict[str, Any] = Field(default_factory=dict)

    @property
    def token(self) -> str:
        token = self.access_token or self.id
        if not token:
            raise ValueError("the login reply holds no token (neither access_token nor id)")
        return token


def _first(single: str | None, many: list[str]) -> str | None:
    return single or (many[0] if many else None)


class Dataset(BackendModel):
    pid: str
    datasetName: str | None = None
    description: str | None = None
    type: str | None = None
    runNumber: str | None = None
    sourceFolder: str | None = None
    size: float | None = None
    numberOfFiles: int | None = None
    creationTime: str | None = None
    startTime: str | None = None
    endTime: str | None = None
    owner: str | None = None
    ownerEmail: str | None = None
    contactEmail: str | None = None
    principalInvestigator: str | None = None
    investigator: str | None = None
    principalInvestigators: list[str] = Field(default_factory=list)
    ownerGroup: str | None = None
    accessGroups: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    techniques: list[dict[str, Any]] = Field(default_factory=list)
    creationLocation: str | None = None
    proposalId: str | None = None
    proposalIds: list[str] = Field(default_factory=list)
    sampleId: str | None = None
    sampleIds: list[str] = Field(default_factory=list)
    instrumentId: str | None = None
    instrumentIds: list[str] = Field(default_factory=list)
    inputDatasets: list[str] = Field(default_factory=list)
    usedSoftware: list[str] = Field(default_factory=list)
    dataFormat: str | None = None
    isPublished: bool = False
    scientificMetadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def proposal(self) -> str | None:
        return _first(self.proposalId, self.proposalIds)

    @property
    def sample(self) -> str | None:
        return _first(self.sampleId, self.sampleIds)

    @property
    def instrument(self) -> str | None:
        return _first(self.instrumentId, self.instrumentIds)

    @property
    def pi(self) -> str | None:
        return (
            self.principalInvestigator
            or _first(None, self.principalInvestigators)
            or self.investigator
        )

    @property
    def started(self) -> str | None:
        """The start of the measurement; derived datasets have only their creation time."""
        return self.startTime or self.creationTime


class DataFile(BackendModel):
    path: str
    size: float | None = None
    time: str | None = None


class OrigDatablock(BackendModel):
    id: str | None = Field(default=None, alias="_id")
    size: float | None = None
    dataFileList: list[DataFile] = Field(default_factory=list)


class Attachment(BackendModel):
    id: str | None = None
    caption: str | None = None
    thumbnail: str | None = None
    createdAt: str | None = None


class MeasurementPeriod(BackendModel):
    instrument: str | None = None
    start: str | None = None
    end: str | None = None
    comment: str | None = None


class Proposal(BackendModel):
    proposalId: str
    title: str | None = None
    abstract: str | None = None
    email: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    pi_email: str | None = None
    pi_firstname: str | None = None
    pi_lastname: str | None = None
    startTime: str | None = None
    endTime: str | None = None
    ownerGroup: str | None = None
    accessGroups: list[str] = Field(default_factory=list)
    MeasurementPeriodList: list[MeasurementPeriod] = Field(default_factory=list)

    @property
    def proposer(self) -> str:
        return " ".join(p for p in (self.firstname, self.lastname) if p)

    @property
    def pi(self) -> str:
        return " ".join(p for p in (self.pi_firstname, self.pi_lastname) if p)


class Sample(BackendModel):
    sampleId: str
    sampleName: str | None = None
    description: str | None = None
    type: str | None = None
    owner: str | None = None
    ownerGroup: str | None = None
    accessGroups: list[str] = Field(default_factory=list)
    proposalId: str | None = None
    parentSampleId: str | None = None
    createdAt: str | None = None
    isPublished: bool = False
    sampleCharacteristics: dict[str, Any] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.sampleName or self.sampleId


class Instrument(BackendModel):
    pid: str
    name: str | None = None
    uniqueName: str | None = None
    customMetadata: dict[str, Any] = Field(default_factory=dict)


class FacetBucket(BaseModel):
    value: str
    count: int


class FacetCounts(BaseModel):
    """One ``fullfacet`` reply: the buckets of each facet and the number of matches."""

    total: int = 0
    facets: dict[str, list[FacetBucket]] = Field(default_factory=dict)

    @classmethod
    def from_reply(cls, reply: Any, names: list[str]) -> FacetCounts:
        if not isinstance(reply, list):
            raise TypeError("fullfacet: expected a list holding one object")
        first = reply[0] if reply else {}
        if not isinstance(first, dict):
            raise TypeError("fullfacet: expected a list holding one object")
        all_ = first.get("all") or []
        total = int(all_[0].get("totalSets", 0)) if all_ and isinstance(all_[0], dict) else 0
        facets: dict[str, list[FacetBucket]] = {}
        for name in names:
            buckets = [
                FacetBucket(value=str(b["_id"]), count=int(b.get("count", 0)))
                for b in first.get(name) or []
                if isinstance(b, dict) and b.get("_id") not in (None, "")
            ]
            facets[name] = sorted(buckets, key=lambda b: (-b.count, b.value))
        return cls(total=total, facets=facets)


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any, what: str) -> M:
    """A backend reply as ``model``; a reply of the wrong shape is a backend error."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise BackendError(502, f"unexpected reply: {where}: {first['msg']}", what) from error


def parse_list(model: type[M], data: Any, what: str) -> list[M]:
    if not isinstance(data, list):
        raise BackendError(502, "unexpected reply: expected a list", what)
    return [parse(model, item, what) for item in data]
