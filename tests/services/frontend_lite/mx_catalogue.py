"""What the API holds for the MX tests, read as an admin, and the expectations derived from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

# How many container places each cell of a changer has (ISPyB's slot = (cell − 1) × n + position).
POSITIONS_PER_CELL = {"FlexHCD": 3, "CATS": 3, "ISARA": 29, "P11SC": 23, "SC3": 5}
UNIT_SYMBOLS = {"angstrom": "Å", "deg": "°", "um": "µm", "s^-1": "s⁻¹"}
TO_BASE = {"mm": 1e-3, "um": 1e-6, "angstrom": 1e-10, "nm": 1e-9}


def value(entry: Any) -> Any:
    return entry.get("value") if isinstance(entry, dict) and "value" in entry else entry


def unit(entry: Any) -> str:
    return str(entry.get("unit") or "") if isinstance(entry, dict) else ""


def converted(number: float, stored: str, wanted: str) -> float:
    if stored == wanted or not wanted:
        return number
    return number * TO_BASE[stored] / TO_BASE[wanted]


def segment(value: str) -> str:
    return quote(value, safe="")


@dataclass
class Catalogue:
    raw: list[dict[str, Any]]
    derived: list[dict[str, Any]]
    samples: list[dict[str, Any]]
    instruments: list[dict[str, Any]]

    @classmethod
    def read(cls, api: httpx.Client) -> Catalogue:
        def every(path: str, where: dict[str, Any]) -> list[dict[str, Any]]:
            query = {"where": where, "limits": {"limit": 5000}}
            reply = api.get(path, params={"filter": json.dumps(query)})
            reply.raise_for_status()
            found: list[dict[str, Any]] = reply.json()
            return found

        return cls(
            raw=every("/api/v3/datasets", {"type": "raw"}),
            derived=every("/api/v3/datasets", {"type": "derived"}),
            samples=every("/api/v3/samples", {}),
            instruments=every("/api/v3/instruments", {}),
        )

    def derived_of(self, pid: str) -> list[dict[str, Any]]:
        return [d for d in self.derived if pid in d.get("inputDatasets", [])]

    def richest_raw(self) -> dict[str, Any]:
        """The collection with the most processing runs (a failed one among them if possible)."""

        def score(d: dict[str, Any]) -> tuple[int, int]:
            runs = self.derived_of(d["pid"])
            failed = any(
                value(r["scientificMetadata"].get("processingStatus")) != "SUCCESS" for r in runs
            )
            return (len(runs), int(failed))

        return max(self.raw, key=score)

    def sample(self, sample_id: str) -> dict[str, Any]:
        return next(s for s in self.samples if s["sampleId"] == sample_id)

    def children(self, sample_id: str) -> list[dict[str, Any]]:
        return [s for s in self.samples if s.get("parentSampleId") == sample_id]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [s for s in self.samples if s.get("type") == kind]

    def characteristic(self, sample: dict[str, Any], key: str) -> Any:
        return value(sample.get("sampleCharacteristics", {}).get(key))

    def changer_of(self, beamline: str) -> str:
        for instrument in self.instruments:
            if beamline in (instrument.get("uniqueName"), instrument.get("name")):
                return str(
                    value(instrument.get("customMetadata", {}).get("sampleChangerType")) or ""
                )
        return ""

    def session_collections(self, name: str) -> list[dict[str, Any]]:
        found = [d for d in self.raw if value(d["scientificMetadata"].get("session")) == name]
        return sorted(found, key=lambda d: d["startTime"])
