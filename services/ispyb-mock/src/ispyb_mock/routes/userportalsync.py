"""py-ISPyB's ``POST /webservices/userportalsync/sync_proposal`` (needs ``uportal_sync``)."""

from __future__ import annotations

import time

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from ..auth import UPORTAL_SYNC
from ..deps import Db, User
from ..errors import ApiError, integrity_error
from ..schemas.userportalsync import Message, UserPortalProposalSync
from ..store.userportalsync import SyncRefused, sync_proposal

router = APIRouter(prefix="/webservices", tags=["webservices"])


@router.post("/userportalsync/sync_proposal", response_model=Message)
def sync(body: UserPortalProposalSync, db: Db, user: User) -> Message:
    """Create or update a proposal from a user portal, with its persons, lab contacts,
    sessions and proteins, in one transaction. Any failure is a 400 and nothing stays."""
    user.require(UPORTAL_SYNC)
    started = time.monotonic()
    try:
        sync_proposal(db, body)
        db.commit()
    except IntegrityError as error:
        problem = integrity_error(error)
        raise SyncRefused(problem.message, problem.field) from error
    except ApiError as error:
        raise SyncRefused(error.message, error.field) from error
    took = round(time.monotonic() - started, 3)
    proposal = body.proposal
    return Message(
        message=f"The proposal {proposal.proposalCode}-{proposal.proposalNumber} "
        f"has been synchronized in {took}"
    )
