"""Where ISPyB's sample hierarchy lives in SciCat samples: the one place to align.

``scicatlive seed`` (docs/mapping.md, ``scicatlive/mapping/scicat.py``) writes
hierarchical samples with ``type`` = shipment / dewar / puck / crystal, linked by
``parentSampleId``; a puck's ``sampleCharacteristics`` carry
``Container_containerType`` and ``Container_capacity``, and a crystal's carry
``BLSample_location`` (its position in the puck). Other producers may spell them
``ispybType``, ``containerType``, ``capacity`` and ``location``: those are read too.
Each entry is ``{"value": …, "unit": …}`` or a bare value.
"""

from __future__ import annotations

from typing import Any, Literal

from .models import Sample

SampleKind = Literal["shipment", "dewar", "puck", "crystal"]
KINDS: tuple[SampleKind, ...] = ("shipment", "dewar", "puck", "crystal")
# The parent of each kind, for the breadcrumb shipment → dewar → puck → crystal.
PARENT_KIND: dict[SampleKind, SampleKind | None] = {
    "shipment": None,
    "dewar": "shipment",
    "puck": "dewar",
    "crystal": "puck",
}

KIND_CHARACTERISTICS = ("ispybType",)
CONTAINER_TYPE_KEYS = ("Container_containerType", "containerType")
CAPACITY_KEYS = ("Container_capacity", "capacity")
LOCATION_KEYS = ("BLSample_location", "location")
# Aliases for what scicatlive's mapping calls a crystal.
KIND_ALIASES: dict[str, SampleKind] = {
    "sample": "crystal",
    "blsample": "crystal",
    "container": "puck",
}


def characteristic(sample: Sample, keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` present, unwrapped from ``{value, unit}``."""
    for key in keys:
        entry = sample.sampleCharacteristics.get(key)
        if isinstance(entry, dict):
            entry = entry.get("value")
        if entry is not None and entry != "":
            return entry
    return None


def sample_kind(sample: Sample) -> SampleKind | None:
    for raw in (sample.type, characteristic(sample, KIND_CHARACTERISTICS)):
        if isinstance(raw, str):
            name = raw.strip().lower()
            name = KIND_ALIASES.get(name, name)
            if name in KINDS:
                return name
    return None


def _integer(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def container_type(sample: Sample) -> str | None:
    value = characteristic(sample, CONTAINER_TYPE_KEYS)
    return str(value) if value is not None else None


def capacity(sample: Sample) -> int | None:
    return _integer(characteristic(sample, CAPACITY_KEYS))


def location(sample: Sample) -> int | None:
    return _integer(characteristic(sample, LOCATION_KEYS))
