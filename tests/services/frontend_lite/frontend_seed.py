"""A small, linked catalogue written through the backend's REST API for the frontend tests.

Two proposals of two groups; a hierarchical shipment → dewar → Unipuck →
crystals (and a Spinepuck) with the characteristics scicatlive's mapping writes;
raw datasets with files and scientific metadata, derived datasets pointing at
them, and attachments. Some of each are published.
"""

from __future__ import annotations

import base64
import random
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

SITE = "TESTSITE"
BEAMLINES = ("BL-A", "BL-B")
PROTEINS = ("lysozyme", "thaumatin", "insulin", "trypsin")
UNIPUCK_POSITIONS = (1, 2, 5, 9, 16)
SPINEPUCK_POSITIONS = (3, 7)


@dataclass
class Seeded:
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    samples: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    unipuck_id: str = ""
    spinepuck_id: str = ""
    shipment_id: str = ""
    crystal_by_position: dict[int, str] = field(default_factory=dict)

    def raw(self) -> list[dict[str, Any]]:
        return [d for d in self.datasets if d["type"] == "raw"]

    def derived(self) -> list[dict[str, Any]]:
        return [d for d in self.datasets if d["type"] == "derived"]


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A tiny solid PNG, made here so that the tests need no image files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _q(value: Any, unit: str = "") -> dict[str, Any]:
    return {"value": value, "unit": unit}


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json={k: v for k, v in body.items() if v is not None})
    if response.status_code >= 300:
        raise AssertionError(f"POST {path}: {response.status_code} {response.text}")
    data: dict[str, Any] = response.json()
    return data


def seed(client: httpx.Client, *, rng_seed: int = 7) -> Seeded:
    """``client`` is signed in as an admin of the backend."""
    rng = random.Random(rng_seed)
    out = Seeded()
    start = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
    instruments = {
        name: _post(client, "/api/v3/instruments", {"uniqueName": name, "name": f"{name} beamline"})
        for name in BEAMLINES
    }
    groups = {"MX2024001": "group1", "MX2024002": "group2"}
    for index, (proposal_id, group) in enumerate(groups.items()):
        begin = start + timedelta(days=30 * index)
        out.proposals[proposal_id] = _post(
            client,
            "/api/v3/proposals",
            {
                "proposalId": proposal_id,
                "title": f"Ligand binding in {PROTEINS[index]} crystals",
                "abstract": f"Structures of {PROTEINS[index]} with fragment ligands at {SITE}.",
                "email": f"main{index}@example.org",
                "firstname": "Ada",
                "lastname": f"Proposer{index}",
                "pi_email": f"pi{index}@example.org",
                "pi_firstname": "Rosalind",
                "pi_lastname": f"Pi{index}",
                "startTime": _iso(begin),
                "endTime": _iso(begin + timedelta(days=2)),
                "ownerGroup": group,
                "accessGroups": ["mx-staff"],
                "MeasurementPeriodList": [
                    {
                        "instrument": BEAMLINES[i % 2],
                        "start": _iso(begin + timedelta(days=i)),
                        "end": _iso(begin + timedelta(days=i, hours=8)),
                        "comment": f"{proposal_id}-{i + 1}",
                    }
                    for i in range(2)
                ],
            },
        )

    def sample(
        kind: str,
        name: str,
        parent: str | None,
        characteristics: dict[str, Any],
        published: bool = False,
        proposal: str = "MX2024001",
    ) -> str:
        doc = _post(
            client,
            "/api/v3/samples",
            {
                "sampleName": name,
                "type": kind,
                "description": f"{kind} {name}",
                "owner": "Rosalind Pi0",
                "proposalId": proposal,
                "parentSampleId": parent,
                "sampleCharacteristics": characteristics,
                "isPublished": published,
                "ownerGroup": groups[proposal],
                "accessGroups": ["mx-staff"],
            },
        )
        out.samples[doc["sampleId"]] = doc
        return str(doc["sampleId"])

    out.shipment_id = sample(
        "shipment", "SHIP-1", None, {"Shipping_shippingName": _q("SHIP-1")}, True
    )
    dewar = sample("dewar", "DW-1", out.shipment_id, {"Dewar_barCode": _q("DW0001")}, True)
    out.unipuck_id = sample(
        "puck",
        "UP-1",
        dewar,
        {
            "Container_code": _q("UP-1"),
            "Container_containerType": _q("Unipuck"),
            "Container_capacity": _q(16),
            "Container_barcode": _q("UP0001"),
        },
        True,
    )
    out.spinepuck_id = sample(
        "puck",
        "SP-1",
        dewar,
        {
            "Container_code": _q("SP-1"),
            "Container_containerType": _q("Spinepuck"),
            "Container_capacity": _q(10),
        },
    )
    for position in UNIPUCK_POSITIONS:
        protein = PROTEINS[position % len(PROTEINS)]
        out.crystal_by_position[position] = sample(
            "crystal",
            f"{protein[:3]}-x{position}",
            out.unipuck_id,
            {
                "BLSample_location": _q(position),
                "BLSample_name": _q(f"{protein[:3]}-x{position}"),
                "Crystal_spaceGroup": _q("P 21 21 21"),
                "Crystal_cell_a": _q(round(rng.uniform(30, 90), 2), "angstrom"),
                "Protein_acronym": _q(protein[:3].upper()),
            },
            True,
        )
    for position in SPINEPUCK_POSITIONS:
        sample(
            "crystal", f"spine-x{position}", out.spinepuck_id, {"BLSample_location": _q(position)}
        )

    crystals = list(out.crystal_by_position.values())
    thumbnail = "data:image/png;base64," + base64.b64encode(_png(8, 8, (30, 120, 200))).decode()
    for i in range(12):
        proposal_id = "MX2024001" if i < 8 else "MX2024002"
        group = groups[proposal_id]
        protein = PROTEINS[i % len(PROTEINS)]
        beamline = BEAMLINES[i % 2]
        begin = start + timedelta(hours=3 * i)
        wavelength = round(rng.uniform(0.8, 1.3), 4)
        raw = _post(
            client,
            "/api/v3/datasets",
            {
                "type": "raw",
                "datasetName": f"{protein}_{i + 1}",
                "runNumber": str(i + 1),
                "description": f"{protein} rotation data collected on {beamline}",
                "owner": "Rosalind Pi0",
                "ownerEmail": "pi0@example.org",
                "contactEmail": "pi0@example.org",
                "principalInvestigator": "Rosalind Pi0",
                "creationLocation": f"/{SITE}/{beamline}",
                "sourceFolder": f"/data/{proposal_id.lower()}/{protein}/run{i + 1}",
                "creationTime": _iso(begin),
                "startTime": _iso(begin),
                "endTime": _iso(begin + timedelta(minutes=5)),
                "dataFormat": "h5",
                "proposalId": proposal_id,
                "instrumentId": instruments[beamline]["pid"],
                "sampleId": crystals[i % len(crystals)] if proposal_id == "MX2024001" else None,
                "keywords": ["MX", protein, beamline],
                "ownerGroup": group,
                "accessGroups": ["mx-staff"],
                "isPublished": i % 3 == 0,
                "scientificMetadata": {
                    "wavelength": _q(wavelength, "angstrom"),
                    "energy": _q(round(12.398 / wavelength, 3), "keV"),
                    "exposureTime": _q(0.01, "s"),
                    "numberOfImages": _q(3600 + 100 * i),
                    "detectorDistance": _q(round(rng.uniform(150, 400), 1), "mm"),
                    "runStatus": _q("Successful"),
                    "beamLineName": _q(beamline),
                },
            },
        )
        files = [
            {"path": f"{protein}_{i + 1}_master.h5", "size": 3_750_000, "time": _iso(begin)}
        ] + [
            {
                "path": f"{protein}_{i + 1}_data_{n:06d}.h5",
                "size": 450_000_000 + n,
                "time": _iso(begin),
            }
            for n in range(1, 4)
        ]
        _post(
            client,
            f"/api/v3/datasets/{_seg(raw['pid'])}/origdatablocks",
            {"size": sum(f["size"] for f in files), "dataFileList": files},
        )
        if i % 4 == 0:
            _post(
                client,
                f"/api/v3/datasets/{_seg(raw['pid'])}/attachments",
                {
                    "thumbnail": thumbnail,
                    "caption": f"Diffraction image of {protein}_{i + 1}",
                    "ownerGroup": group,
                    "accessGroups": ["mx-staff"],
                    "isPublished": i % 3 == 0,
                },
            )
        out.datasets.append(client.get(f"/api/v3/datasets/{_seg(raw['pid'])}").json())
        if i % 2 == 0:
            derived = _post(
                client,
                "/api/v3/datasets",
                {
                    "type": "derived",
                    "datasetName": f"{protein}_{i + 1} xia2",
                    "investigator": "Rosalind Pi0",
                    "owner": "Rosalind Pi0",
                    "ownerEmail": "pi0@example.org",
                    "contactEmail": "pi0@example.org",
                    "sourceFolder": f"/processed/{proposal_id.lower()}/{protein}/run{i + 1}/xia2",
                    "creationTime": _iso(begin + timedelta(hours=1)),
                    "inputDatasets": [raw["pid"]],
                    "usedSoftware": ["xia2"],
                    "proposalId": proposal_id,
                    "keywords": ["MX", protein, "processed"],
                    "ownerGroup": group,
                    "accessGroups": ["mx-staff"],
                    "isPublished": i % 3 == 0,
                    "scientificMetadata": {
                        "spaceGroup": _q("P 21 21 21"),
                        "statistics": {
                            "overall": {"rMerge": _q(0.061), "completeness": _q(99.8, "%")},
                            "outerShell": {"rMerge": _q(0.712), "completeness": _q(98.1, "%")},
                        },
                        "processingStatus": _q("SUCCESS"),
                        "anomalous": _q(False),
                    },
                },
            )
            log = base64.b64encode(
                f"xia2 summary for {protein}_{i + 1}\nSpace group P 21 21 21\n".encode()
            ).decode()
            _post(
                client,
                f"/api/v3/datasets/{_seg(derived['pid'])}/attachments",
                {
                    "thumbnail": f"data:text/plain;base64,{log}",
                    "caption": "xia2 log: xia2.txt",
                    "ownerGroup": group,
                    "accessGroups": ["mx-staff"],
                    "isPublished": i % 3 == 0,
                },
            )
            out.datasets.append(client.get(f"/api/v3/datasets/{_seg(derived['pid'])}").json())
    return out


def _seg(pid: str) -> str:
    return quote(pid, safe="")
