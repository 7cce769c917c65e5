"""ISPyB → SciCat without generating: read ISPyB back into the facility graph and map it.

What ISPyB's API does not serve is derived (``scicatlive.domain.derive``) or taken
from :class:`FacilityFacts`. Beyond the catalogue-only facts:

* Proposal members and session participants are not served (only counts): a
  proposal's members are its main proposer, sessions have no persons, and there is
  no staff list. Only ``SciCatPayloads.memberships`` is affected; no SciCat record
  depends on them (the proposal's ``metadata.members`` is the PI alone).
* A data collection group's times are its collections' first start and last end;
  its "actual" sample and puck fields come from the sample and its puck (slot 0 when
  the puck has no sample-changer slot).

* A session MXCuBE created has no ``nbShifts`` and no ``beamLineOperator``: its length
  in 8-hour shifts, and no operator (neither is mapped into SciCat).

Left out, and reported through the reporter: proposals without a session (a SciCat
proposal needs a measurement period), data collections still running (``runStatus``
empty or "Running": MXCuBE's status until the sweep ends) and processing runs still
running (``processingStatus`` null) — a later sync picks them up — and runs without
attachments (the derived dataset's folder is theirs).

``sync --follow`` (:mod:`.follow`) does the same continuously, from ISPyB's change feed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scicatlive.sync.build import IspybDataError
    from scicatlive.sync.facts import FacilityFacts
    from scicatlive.sync.graph import build_graph
    from scicatlive.sync.rows import ProposalRows, read_rows
    from scicatlive.sync.run import read_facility, sync, sync_async

# Loaded on first use: `scicatlive status` reads the follower's state from this package and
# must not pay for the reader, the graph builder and httpx (≈ 0.9 s) to do so.
_EXPORTS = {
    "IspybDataError": "build", "FacilityFacts": "facts", "build_graph": "graph", "ProposalRows": "rows",
    "read_rows": "rows", "read_facility": "run", "sync": "run", "sync_async": "run",
}
__all__ = [
    "FacilityFacts", "IspybDataError", "ProposalRows", "build_graph", "read_facility",
    "read_rows", "sync", "sync_async",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
