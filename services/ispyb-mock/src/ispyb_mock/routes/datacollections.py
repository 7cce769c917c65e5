"""Data collection groups, data collections and their images: MXCuBE's paths and the
service's own, into the same tables under the same rules (``store/acquisition.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import selectinload

from ..access import name_filter, session_filter
from ..deps import Db, Page, User
from ..models import BLSession, DataCollection
from ..schemas.acquisition import ImageOut
from ..schemas.common import Paginated
from ..schemas.datacollections import (
    DataCollectionCreate,
    DataCollectionOut,
    GroupCreate,
    GroupOut,
)
from ..schemas.mxcube import ImageIn, MxCollectionIn, MxGroupIn
from ..store.acquisition import CollectionWrite, GroupWrite, Names, save_collection, save_group
from ..store.common import fields
from ..store.events import store_image
from ..store.lookup import get_visible, join_owner, owner_joined, visible_select
from ..store.mxcube import collection_write, group_write
from .common import paginate

router = APIRouter(tags=["data collections"])

OWN_NAMES = Names(group="dataCollectionGroupId", sample="blSampleId", run="dataCollectionNumber")


def _status(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.post("/datacollections/group", status_code=201, response_model=GroupOut)
def post_mxcube_group(body: MxGroupIn, db: Db, user: User, response: Response) -> GroupOut:
    """MXCuBE's group: ``{sessionId, experimentType, actualContainerSlotInSC,
    actualSampleSlotInContainer}``, the sample found at that slot and position; with a
    ``group_id`` (the whole collect dictionary, on update) the group is updated (200)."""
    group, created = save_group(db, user, group_write(body))
    db.commit()
    _status(response, created)
    return GroupOut.model_validate(group)


@router.post("/datacollections/groups", status_code=201, response_model=GroupOut)
def post_group(body: GroupCreate, db: Db, user: User) -> GroupOut:
    """A data collection group: one sample, one session, one experiment."""
    write = GroupWrite(
        session_id=body.sessionId,
        sample_id=body.blSampleId,
        values=fields(body, exclude={"sessionId", "blSampleId"}),
        names=OWN_NAMES,
    )
    group, _ = save_group(db, user, write)
    db.commit()
    return GroupOut.model_validate(group)


def _collection_out(db: Db, collection: DataCollection) -> DataCollectionOut:
    db.refresh(collection)
    return DataCollectionOut.model_validate(collection)


@router.post("/datacollections/datacollection", status_code=201, response_model=DataCollectionOut)
def post_mxcube_collection(
    body: MxCollectionIn, db: Db, user: User, response: Response
) -> DataCollectionOut:
    """MXCuBE's collect dictionary (``fileinfo``, ``oscillation_sequence``,
    ``sample_reference``, ``group_id``...); with ``collection_id`` it updates (200)."""
    collection, created = save_collection(db, user, collection_write(body))
    db.commit()
    _status(response, created)
    return _collection_out(db, collection)


@router.post("/datacollections", status_code=201, response_model=DataCollectionOut)
def post_collection(body: DataCollectionCreate, db: Db, user: User) -> DataCollectionOut:
    """A data collection (a sweep) in a group, with ISPyB's column names."""
    write = CollectionWrite(
        session_id=None,
        group_id=body.dataCollectionGroupId,
        values=fields(body, exclude={"dataCollectionGroupId"}),
        names=OWN_NAMES,
    )
    collection, _ = save_collection(db, user, write)
    db.commit()
    return _collection_out(db, collection)


@router.get("/datacollections", response_model=Paginated[DataCollectionOut])
def list_collections(
    db: Db,
    user: User,
    page: Page,
    proposal: Annotated[str | None, Query(description="Proposal name")] = None,
    session: Annotated[str | None, Query(description="Session name <proposal>-<n>")] = None,
    sessionId: Annotated[int | None, Query()] = None,
    dataCollectionGroupId: Annotated[int | None, Query()] = None,
    blSampleId: Annotated[int | None, Query()] = None,
) -> Paginated[DataCollectionOut]:
    """Data collections one by one, in id order (extension: py-ISPyB lists them as
    ``/events``, grouped). With ``limit=1`` it is a cheap exact count."""
    query = (
        visible_select(DataCollection, user)
        .options(selectinload(DataCollection.DataCollectionGroup))
        .order_by(DataCollection.dataCollectionId)
    )
    if proposal is not None or session is not None or sessionId is not None:
        if not owner_joined(user):
            query = join_owner(query, DataCollection)
        query = query.where(name_filter(proposal, BLSession.proposalId))
        if session is not None:
            query = query.where(session_filter(session))
        if sessionId is not None:
            query = query.where(BLSession.sessionId == sessionId)
    if dataCollectionGroupId is not None:
        query = query.where(DataCollection.dataCollectionGroupId == dataCollectionGroupId)
    if blSampleId is not None:
        query = query.where(DataCollection.blSampleId == blSampleId)
    total, rows = paginate(db, query, page)
    results = [DataCollectionOut.model_validate(row) for row in rows]
    return Paginated(total=total, results=results, skip=page.skip, limit=page.limit)


@router.get("/datacollections/{dataCollectionId}", response_model=DataCollectionOut)
def get_collection(dataCollectionId: int, db: Db, user: User) -> DataCollectionOut:
    """A data collection by id (MXCuBE reads its ``startTime`` and ``endTime``)."""
    return DataCollectionOut.model_validate(get_visible(db, user, DataCollection, dataCollectionId))


@router.post("/images/image", status_code=201, response_model=ImageOut)
def post_image(body: ImageIn, db: Db, user: User) -> ImageOut:
    """An image of a collection (MXCuBE stores the first and the last)."""
    image = store_image(db, user, body)
    db.commit()
    return ImageOut.model_validate(image)
