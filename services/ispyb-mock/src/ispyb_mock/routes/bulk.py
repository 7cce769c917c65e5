from __future__ import annotations

from fastapi import APIRouter

from ..auth import ALL_PROPOSALS, MANAGE_PROPOSALS
from ..deps import AppSettings, Sessions, Writer
from ..schemas.bulk import BulkProposal, BulkResult
from ..store.bulk import load_proposal

router = APIRouter(tags=["bulk"])


@router.post("/bulk/proposals", response_model=BulkResult)
def load(body: BulkProposal, sessions: Sessions, user: Writer, settings: AppSettings) -> BulkResult:
    """Create or update a whole proposal graph in one transaction (see the service README).

    Rows are matched by natural keys, so loading the same graph twice changes nothing.
    Loads may run concurrently; one that collides with another on shared persons or
    laboratories is rerun (see ``store/bulk/retry.py``). Needs ``manage_proposals``
    and ``all_proposals``.
    """
    user.require(MANAGE_PROPOSALS, ALL_PROPOSALS)
    return load_proposal(sessions, settings, body)
