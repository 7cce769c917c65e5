"""A data collection group's ``Workflow``: the automated workflow that drove the collection.

ISPyB links a group to its workflow by ``DataCollectionGroup.workflowId``. The service's
own writes (and the bulk load) give the workflow's fields with the group: the group's
workflow is created, or updated in place. MXCuBE gives only the id of a workflow that
exists already (``workflow_id`` of its collect dictionary, as its SOAP client set
``group.workflowId``): the group is linked to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import RuleViolation, UnknownReference
from ..models import BLSession, DataCollectionGroup, Workflow
from .common import assign, now


def save_workflow(db: Session, group: DataCollectionGroup, values: dict[str, Any]) -> bool:
    """Give the group a workflow with these fields (its own, updated, if it has one).

    Returns whether the workflow existed.
    """
    workflow = group.Workflow
    existed = workflow is not None
    if workflow is None:
        workflow = Workflow()
        db.add(workflow)
        group.Workflow = workflow
    assign(workflow, values)
    workflow.recordTimeStamp = now()
    return existed


def link_workflow(
    db: Session, group: DataCollectionGroup, session: BLSession, workflow_id: int, name: str
) -> None:
    """Link the group to an existing workflow, which may drive only this proposal's groups."""
    if db.get(Workflow, workflow_id) is None:
        raise UnknownReference(f"{name} {workflow_id} does not exist", name)
    elsewhere = db.scalar(
        select(BLSession.proposalId)
        .join(DataCollectionGroup, DataCollectionGroup.sessionId == BLSession.sessionId)
        .where(
            DataCollectionGroup.workflowId == workflow_id,
            BLSession.proposalId != session.proposalId,
        )
        .limit(1)
    )
    if elsewhere is not None:
        raise RuleViolation(
            f"workflow {workflow_id} drove collections of another proposal", name
        )
    group.workflowId = workflow_id
