"""Copying a data collection's fields onto its row (the bulk load's write)."""

from __future__ import annotations

from ..models import DataCollection, DataCollectionGroup
from ..schemas.datacollections import DataCollectionFields
from .common import assign, fields


def fill_collection(
    collection: DataCollection, group: DataCollectionGroup, payload: DataCollectionFields
) -> None:
    """Copy the fields; the sample and session repeat the group's (ESRF columns)."""
    assign(collection, fields(payload, exclude={"dataCollectionGroupId", "autoProcPrograms"}))
    collection.dataCollectionGroupId = group.dataCollectionGroupId
    collection.blSampleId = group.blSampleId
    collection.sessionId = group.sessionId
