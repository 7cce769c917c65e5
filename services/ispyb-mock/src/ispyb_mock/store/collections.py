"""Data collection rows: copying a collection's fields onto its row (the bulk load's
write), and loading a collection with what its responses nest."""

from __future__ import annotations

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

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


# A collection's group and the group's workflow, as responses nest them (py-ISPyB's
# ``DataCollectionGroup.Workflow``): two queries for a whole page, not two per row.
WITH_GROUP: _AbstractLoad = selectinload(DataCollection.DataCollectionGroup).selectinload(
    DataCollectionGroup.Workflow
)
