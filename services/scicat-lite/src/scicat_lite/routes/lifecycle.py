"""``PATCH /api/v{3,4}/datasets/{pid}/datasetlifecycle``: how an archive system reports.

Jobs never change datasets; the archive system PATCHes the lifecycle. Allowed for admins,
members of the dataset's owner group who may create datasets, and
``UPDATE_DATASET_LIFECYCLE_GROUPS`` (on any dataset). v3 merges the given fields, v4
applies them as a JSON merge patch (null removes a field).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .. import dto
from ..access import CreateRight
from ..auth import User
from ..deps import AppContext, Body, Connection, Context, CurrentUser, path_id
from ..errors import bad_request, forbidden, not_found
from ..history import record_update
from ..jobs.service import merge
from ..resources import DATASETS, touch
from ..validation import partial, validate

v3 = APIRouter(prefix="/api/v3/datasets", tags=["datasets"])
v4 = APIRouter(prefix="/api/v4/datasets", tags=["datasets v4"])


def _may_call(ctx: AppContext, user: User | None) -> bool:
    """The endpoint rule (``DatasetLifecycleUpdate``)."""
    return user is not None and (
        ctx.access.dataset_create_right(user) is not CreateRight.NONE
        or bool(ctx.settings.groups.update_dataset_lifecycle & set(user.groups))
    )


def _may_update(ctx: AppContext, user: User, dataset: dict[str, Any]) -> bool:
    return ctx.access.may_write_dataset(user, dataset) or bool(
        ctx.settings.groups.update_dataset_lifecycle & set(user.groups)
    )


def _update(
    ctx: AppContext, conn: Connection, user: User | None, pid: str, body: Any, *, patch: bool
) -> Any:
    if not _may_call(ctx, user):
        raise forbidden()
    assert user is not None
    sent = {k: v for k, v in body.items() if v is not None} if isinstance(body, dict) else body
    changes = validate(partial(dto.Lifecycle), sent)
    if not body:
        raise bad_request("dataset lifecycle DTO must not be empty")
    dataset = DATASETS.get(conn, pid, lock=True)
    if dataset is None:
        raise not_found(f"dataset with pid {pid} not found")
    if not _may_update(ctx, user, dataset):
        raise forbidden("Unauthorized to update this dataset")
    before = dict(dataset)
    current = dict(dataset.get("datasetlifecycle") or {})
    if patch:
        updates = {k: changes.get(k) for k in body}
        dataset["datasetlifecycle"] = merge(current, updates)
    else:
        dataset["datasetlifecycle"] = {**current, **changes}
    updated = DATASETS.replace(conn, touch(dataset, user.username))
    record_update(ctx, conn, "Dataset", before, updated, user.username)
    return updated["datasetlifecycle"]


@v3.patch("/{pid}/datasetlifecycle")
def update_v3(ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body) -> Any:
    return _update(ctx, conn, user, path_id(pid), body, patch=False)


@v4.patch("/{pid}/datasetlifecycle")
def update_v4(ctx: Context, user: CurrentUser, conn: Connection, pid: str, body: Body) -> Any:
    return _update(ctx, conn, user, path_id(pid), body, patch=True)
