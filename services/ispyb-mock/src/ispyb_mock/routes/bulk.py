from __future__ import annotations

from fastapi import APIRouter

from ..auth import ALL_PROPOSALS, MANAGE_PROPOSALS
from ..deps import AppSettings, Db, Writer
from ..schemas.bulk import BulkProposal, BulkResult
from ..store.bulk import BulkLoader

router = APIRouter(tags=["bulk"])


@router.post("/bulk/proposals", response_model=BulkResult)
def load_proposal(body: BulkProposal, db: Db, user: Writer, settings: AppSettings) -> BulkResult:
    """Create or update a whole proposal graph in one transaction (see the service README).

    Rows are matched by natural keys, so loading the same graph twice changes nothing.
    Needs ``manage_proposals`` and ``all_proposals``.
    """
    user.require(MANAGE_PROPOSALS, ALL_PROPOSALS)
    result = BulkLoader(db, settings).load(body)
    db.commit()
    return result
