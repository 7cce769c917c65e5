"""A shipment as ISPyB shows it: parcels → containers → samples, and the changer loading table.

Pure assembly from SciCat samples (``type`` shipment/dewar/puck/crystal, linked by
``parentSampleId``, see :mod:`frontend_lite.ispyb_keys`). A container's place in a sample
changer is its ``sampleChangerLocation`` (ISPyB's 1-based slot); the beamline's changer
type (the instrument's ``sampleChangerType``) and the configured geometry turn it into
ISPyB's "cell N, position M": slot = (cell − 1) × positions per cell + position.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .. import ispyb_keys, puck
from ..models import Instrument, Sample
from .spec import ChangerGeometry, ShipmentSpec
from .values import quantity


def characteristic(sample: Sample | None, key: str) -> str:
    if sample is None:
        return ""
    value, _ = quantity(sample.sampleCharacteristics.get(key))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Place:
    """Where a container sits in a beamline's sample changer."""

    beamline: str
    location: str
    changer: str
    cell: int | None
    position: int | None

    @property
    def slot(self) -> int | None:
        try:
            return int(self.location)
        except ValueError:
            return None


def place(location: str, beamline: str, changer: str, geometry: ChangerGeometry | None) -> Place:
    try:
        slot = int(location)
    except ValueError:
        return Place(beamline, location, changer, None, None)
    if geometry is None or not 1 <= slot <= geometry.cells * geometry.positions:
        return Place(beamline, location, changer, None, None)
    cell, position = divmod(slot - 1, geometry.positions)
    return Place(beamline, location, changer, cell + 1, position + 1)


@dataclass
class CrystalRow:
    sample: Sample
    position: int | None
    protein: str
    status: str
    collections: int | None  # None: not known (the shipment names no proposal)


@dataclass
class ContainerView:
    sample: Sample
    type: str
    status: str
    place: Place | None
    layout: puck.PuckLayout | None
    crystals: list[CrystalRow] = field(default_factory=list)


@dataclass
class ParcelView:
    sample: Sample
    status: str
    containers: list[ContainerView] = field(default_factory=list)


@dataclass
class LoadingRow:
    parcel: ParcelView
    container: ContainerView
    place: Place


@dataclass
class ShipmentView:
    shipment: Sample
    status: str
    parcels: list[ParcelView]
    loading: dict[str, list[LoadingRow]]  # beamline → rows in slot order
    not_loaded: int
    changers: dict[str, str]  # beamline → changer type ("" when unknown)


def changer_types(instruments: list[Instrument], spec: ShipmentSpec) -> dict[str, str]:
    types: dict[str, str] = {}
    for instrument in instruments:
        value, _ = quantity(instrument.customMetadata.get(spec.changer_type))
        for name in (instrument.uniqueName, instrument.name):
            if name and value:
                types[name] = str(value)
    return types


def assemble(
    shipment: Sample,
    parcels: list[Sample],
    containers: list[Sample],
    crystals: list[Sample],
    collections: dict[str, int] | None,
    instruments: list[Instrument],
    spec: ShipmentSpec,
) -> ShipmentView:
    changers = changer_types(instruments, spec)
    by_parent: dict[str, list[Sample]] = defaultdict(list)
    for sample in [*containers, *crystals]:
        by_parent[sample.parentSampleId or ""].append(sample)
    parcel_views: list[ParcelView] = []
    loading: dict[str, list[LoadingRow]] = defaultdict(list)
    not_loaded = 0
    for parcel in sorted(parcels, key=lambda s: s.label):
        parcel_view = ParcelView(parcel, characteristic(parcel, spec.parcel_status))
        for container in sorted(by_parent[parcel.sampleId], key=lambda s: s.label):
            children = sorted(
                by_parent[container.sampleId],
                key=lambda c: (ispyb_keys.location(c) or 10**6, c.label),
            )
            beamline = characteristic(container, spec.beamline)
            location = characteristic(container, spec.changer_location)
            changer = changers.get(beamline, "")
            where = (
                place(location, beamline, changer, spec.changers.get(changer))
                if beamline and location
                else None
            )
            view = ContainerView(
                container,
                ispyb_keys.container_type(container) or "",
                characteristic(container, spec.container_status),
                where,
                puck.layout(container, children),
                [
                    CrystalRow(
                        c,
                        ispyb_keys.location(c),
                        characteristic(c, "Protein_acronym"),
                        characteristic(c, spec.sample_status),
                        collections.get(c.sampleId, 0) if collections is not None else None,
                    )
                    for c in children
                ],
            )
            parcel_view.containers.append(view)
            if where is None:
                not_loaded += 1
            else:
                loading[beamline].append(LoadingRow(parcel_view, view, where))
        parcel_views.append(parcel_view)
    for rows in loading.values():
        rows.sort(key=lambda r: (r.place.slot or 10**6, r.place.location))
    return ShipmentView(
        shipment,
        characteristic(shipment, spec.shipment_status),
        parcel_views,
        dict(sorted(loading.items())),
        not_loaded,
        {beamline: changers.get(beamline, "") for beamline in loading},
    )
