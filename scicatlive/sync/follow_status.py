"""Where a stack's follower is, for ``scicatlive status``: the sync service's, or one run from here.

A stack whose profile has the ``follow`` feature runs the follower as its ``sync`` service,
which serves its state at ``/status`` (the same JSON as a state file); a follower started
with ``scicatlive sync --follow`` keeps it beside the stack's record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

from scicatlive.sync.follow_state import FollowState, StateFile

if TYPE_CHECKING:
    from scicatlive.runtime.status import ServiceStatus

SYNC_SERVICE = "sync"
STATUS_PATH = "/status"
STATUS_TIMEOUT = 2.0


def service_state(url: str) -> FollowState | None:
    """The sync service's state, or None when it does not answer (yet)."""
    import httpx  # only stacks with a sync service pay for it

    try:
        answer = httpx.get(f"{url.rstrip('/')}{STATUS_PATH}", timeout=STATUS_TIMEOUT)
        return FollowState.model_validate_json(answer.content) if answer.status_code == 200 else None
    except (httpx.HTTPError, ValidationError):
        return None


def stack_follow_state(name: str, services: Sequence[ServiceStatus]) -> tuple[str, FollowState] | None:
    """``(who follows, state)`` of a stack set up here, from its services as ``status`` sees them."""
    for service in services:
        if service.name == SYNC_SERVICE and service.urls:
            state = service_state(service.urls[0])
            if state is not None:
                return "sync service", state
    state = StateFile.for_stack(name).read()
    return ("sync --follow", state) if state is not None else None
