"""Every payload is valid for the real backend: checked with scicat-sdk-py's Create*Dto models.

The SDK is generated from the backend's OpenAPI description. Its models drop
unknown keys silently, while the backend rejects them with 400, so besides
validating each body the test checks that every key is one the DTO declares.
"""

from __future__ import annotations

from typing import Any

import pytest
import scicat_sdk_py as sdk
from pydantic import BaseModel

from scicatlive.mapping import MappingOptions, SciCatPayloads, map_graph
from scicatlive.mapping.payloads import ScicatPayload
from scicatlive.seeding import FacilityGraph

DTO_FOR: dict[str, type[BaseModel]] = {
    "instruments": sdk.CreateInstrumentDto,
    "proposals": sdk.CreateProposalDto,
    "samples": sdk.CreateSampleDto,
    "raw_datasets": sdk.CreateRawDatasetObsoleteDto,
    "derived_datasets": sdk.CreateDerivedDatasetObsoleteDto,
    "origdatablocks": sdk.CreateOrigDatablockDto,
    "attachments": sdk.CreateAttachmentV4Dto,
    # The v3 DTO: it keeps the client's doi (the v4 one has none).
    "published_data": sdk.CreatePublishedDataDto,
}
NESTED_DTO: dict[str, type[BaseModel]] = {
    "MeasurementPeriodList": sdk.CreateMeasurementPeriodDto,
    "dataFileList": sdk.DataFile,
    "relationships": sdk.AttachmentRelationshipsV4Dto,
    "techniques": sdk.TechniqueClass,
}


def _declared_keys(dto: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in dto.model_fields.items()}


def _check(body: dict[str, Any], dto: type[BaseModel], where: str) -> None:
    unknown = set(body) - _declared_keys(dto)
    assert not unknown, f"{where}: the backend would reject {sorted(unknown)}"
    missing = {
        field.alias or name for name, field in dto.model_fields.items() if field.is_required()
    } - set(body)
    assert not missing, f"{where}: missing required {sorted(missing)}"
    dto.from_dict(body)  # type: ignore[attr-defined]  # raises pydantic.ValidationError on a wrong type
    for key, nested in NESTED_DTO.items():
        for index, item in enumerate(body.get(key, [])):
            _check(item, nested, f"{where}.{key}[{index}]")


@pytest.mark.parametrize("kind", sorted(DTO_FOR))
def test_every_payload_is_a_valid_create_dto(kind: str, demo_payloads: SciCatPayloads) -> None:
    records: list[ScicatPayload] = getattr(demo_payloads, kind)
    assert records, kind
    for index, record in enumerate(records):
        _check(record.body(), DTO_FOR[kind], f"{kind}[{index}]")


def test_flat_layout_samples_are_valid_too(tiny_graph: FacilityGraph) -> None:
    flat = map_graph(tiny_graph, MappingOptions(sample_layout="flat"))
    for index, sample in enumerate(flat.samples):
        _check(sample.body(), sdk.CreateSampleDto, f"samples[{index}]")
