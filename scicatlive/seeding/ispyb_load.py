"""Load generated proposals into the ISPyB mock, one transaction each, concurrently where safe.

Proposals share people (members, local contacts). Two transactions creating the
same person at once would collide, so a proposal that brings people ISPyB does not
have yet is loaded alone; proposals whose people are all there already load side
by side (they only read those rows).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients.http import AsyncSession
from scicatlive.domain import model as m
from scicatlive.seeding.ispyb_payload import bulk_proposal


def people_of(proposal: m.Proposal) -> set[str]:
    logins = {proposal.personLogin, *proposal.members}
    for session in proposal.sessions:
        logins.update(member.login for member in session.persons)
    return logins


@dataclass
class IspybLoader:
    """Call :meth:`load` from as many tasks as proposals should load at once."""

    session: AsyncSession
    facility: m.FacilityGraph
    rows_created: dict[str, int] = field(default_factory=dict)
    _known: set[str] = field(default_factory=set)
    _readers: int = 0
    _writing: bool = False
    _turn: asyncio.Condition = field(default_factory=asyncio.Condition)

    def body_of(self, proposal: m.Proposal) -> dict[str, Any]:
        """The bulk load of one proposal (pure: may be built away from the event loop)."""
        return bulk_proposal(self.facility, proposal)

    async def load(self, proposal: m.Proposal, body: dict[str, Any] | None = None) -> None:
        body = self.body_of(proposal) if body is None else body
        people = people_of(proposal)
        if people <= self._known:
            async with self._shared():
                await self._load(body)
            return
        async with self._exclusive():
            await self._load(body)
            self._known |= people

    @asynccontextmanager
    async def _shared(self) -> AsyncIterator[None]:
        async with self._turn:
            await self._turn.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            async with self._turn:
                self._readers -= 1
                self._turn.notify_all()

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        async with self._turn:
            await self._turn.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            async with self._turn:
                self._writing = False
                self._turn.notify_all()

    async def _load(self, body: dict[str, Any]) -> None:
        result: dict[str, Any] = await self.session.run(ispyb_api.load_proposal(body)) or {}
        for table, count in result.get("created", {}).items():
            self.rows_created[table] = self.rows_created.get(table, 0) + int(count)
