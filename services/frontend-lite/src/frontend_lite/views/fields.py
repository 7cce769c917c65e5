"""Configured fields filled from a dataset and the records around it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..formatting import link_id
from ..models import Dataset, Instrument, Proposal, Sample
from .spec import FieldSpec
from .values import NOTHING, Shown, lookup, show


@dataclass(frozen=True)
class Related:
    """A dataset and what its fields may read: its sample, that sample's container, …"""

    dataset: Dataset
    sample: Sample | None = None
    container: Sample | None = None
    instrument: Instrument | None = None
    proposal: Proposal | None = None


@dataclass(frozen=True)
class Needs:
    sample: bool = False
    container: bool = False
    instrument: bool = False
    proposal: bool = False

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            self.sample or other.sample,
            self.container or other.container,
            self.instrument or other.instrument,
            self.proposal or other.proposal,
        )


def needs_of(fields: Iterable[FieldSpec]) -> Needs:
    result = Needs()
    for spec in fields:
        source, _ = spec.source
        container = source == "container" or spec.link == "container"
        result = result | Needs(
            sample=source == "sample" or spec.link == "sample" or container,
            container=container,
            instrument=source == "instrument",
            proposal=source == "proposal",
        )
    return result


def _record_value(record: Any, key: str, metadata_attribute: str) -> Any:
    """A record's property, or else an entry of its metadata (characteristics…)."""
    if record is None:
        return None
    value = getattr(record, key, None)
    if value is None and record.model_extra:
        value = record.model_extra.get(key)
    if value is None:
        value = lookup(getattr(record, metadata_attribute, None) or {}, key)
    return value


def raw_value(spec: FieldSpec, related: Related) -> Any:
    source, key = spec.source
    if source == "metadata":
        return lookup(related.dataset.scientificMetadata, key)
    if source == "dataset":
        return _record_value(related.dataset, key, "scientificMetadata")
    if source == "sample":
        return _record_value(related.sample, key, "sampleCharacteristics")
    if source == "container":
        return _record_value(related.container, key, "sampleCharacteristics")
    if source == "instrument":
        return _record_value(related.instrument, key, "customMetadata")
    return _record_value(related.proposal, key, "metadata")


def _href(spec: FieldSpec, related: Related, shown: Shown) -> str | None:
    if spec.link == "sample" and related.sample is not None:
        return f"/samples/{link_id(related.sample.sampleId)}"
    if spec.link == "container" and related.container is not None:
        return f"/samples/{link_id(related.container.sampleId)}"
    if spec.link == "session" and isinstance(shown.raw, str) and shown.raw:
        return f"/sessions/{link_id(shown.raw)}"
    if spec.link == "proposal" and related.dataset.proposal:
        return f"/proposals/{link_id(related.dataset.proposal)}"
    if spec.link == "dataset" and isinstance(shown.raw, str) and shown.raw:
        return f"/datasets/{link_id(shown.raw)}"
    return None


def fill(spec: FieldSpec, related: Related) -> Shown:
    style = spec.format
    if style == "auto" and spec.source[0] == "dataset" and spec.source[1].endswith("Time"):
        style = "time"
    value = raw_value(spec, related)
    if isinstance(value, list) and style == "auto":
        style = "list"
    shown = show(value, unit=spec.unit, digits=spec.digits, style=style)
    if not shown.present:
        return NOTHING
    href = _href(spec, related, shown)
    return Shown(shown.text, shown.unit, shown.raw, shown.stored_unit, href)
