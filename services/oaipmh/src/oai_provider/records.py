"""A registered published-data record, as SciCat's v3 API returns it, and its OAI header.

Identifier: the DOI, as upstream's provider uses it (``PUBLISHED_DATA_ID=doi``).
Datestamp: ``updatedAt`` (the protocol's "date of creation, modification or deletion"), so that
an amended record is harvested again; upstream uses ``registeredTime``, which never changes.
Sets: ``openaire_data`` holds every record (the OpenAIRE convention upstream follows) and
``year:<publicationYear>`` (children of ``year``) group them by year of publication.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, field_validator

OPENAIRE_SET = ("openaire_data", "OpenAIRE data (every published record)")
YEAR_SET = ("year", "By year of publication")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


class PublishedRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    doi: str
    title: str = ""
    abstract: str = ""
    dataDescription: str = ""
    creator: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    publisher: str = ""
    publicationYear: int | None = None
    resourceType: str = ""
    affiliation: str = ""
    url: str = ""
    pidArray: list[str] = Field(default_factory=list)
    relatedPublications: list[str] = Field(default_factory=list)
    numberOfFiles: int | None = None
    sizeOfArchive: int | None = None
    downloadLink: str = ""
    registeredTime: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None

    @field_validator("creator", "authors", "pidArray", "relatedPublications", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> list[str]:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        return [str(v) for v in items if isinstance(v, (str, int, float)) and str(v).strip()]

    @field_validator("title", "abstract", "dataDescription", "publisher", "resourceType",
                     "affiliation", "url", "downloadLink", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return value if isinstance(value, str) else ""

    @field_validator("publicationYear", "numberOfFiles", "sizeOfArchive", mode="before")
    @classmethod
    def _integer(cls, value: Any) -> int | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return int(value)

    @property
    def datestamp(self) -> datetime:
        for value in (self.updatedAt, self.registeredTime, self.createdAt):
            parsed = parse_time(value)
            if parsed is not None:
                return parsed
        return datetime(1970, 1, 1, tzinfo=UTC)

    @property
    def set_specs(self) -> list[str]:
        specs = [OPENAIRE_SET[0]]
        if self.publicationYear:
            specs.append(f"{YEAR_SET[0]}:{self.publicationYear}")
        return specs

    def in_set(self, spec: str) -> bool:
        """Set membership is hierarchical: a record in ``year:2020`` is also in ``year``."""
        return any(own == spec or own.startswith(f"{spec}:") for own in self.set_specs)

    def landing_page(self, base: str | None) -> str | None:
        if self.url:
            return self.url
        return f"{base.rstrip('/')}/{quote(self.doi, safe='/')}" if base else None
