"""alice's proposal and bob's, and an HTTP helper, for the acquisition route tests."""

from __future__ import annotations

from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API


class Api:
    def __init__(self, client: Any, auth: Any) -> None:
        self.client = client
        self.auth = auth

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        status: int = 201,
        user: str = "alice",
        **params: Any,
    ) -> Any:
        reply = self.client.request(
            method, f"{API}{path}", json=body, params=params, headers=self.auth(user)
        )
        assert reply.status_code == status, reply.text
        return reply.json()

    def refused(
        self, method: str, path: str, body: Any, status: int, field: str | None, user: str = "alice"
    ) -> str:
        answer = self.call(method, path, body, status=status, user=user)
        assert answer["field"] == field, answer
        detail: str = answer["detail"]
        return detail


@pytest.fixture
def world(client: Any, auth: Any, load: Any, make_graph: Any) -> dict[str, Any]:
    """alice's proposal (pucks in slots 1 and 2, three samples each) and bob's."""
    mine = load(make_graph(pucks=2, samples=3, members=("alice",)))
    theirs = load(make_graph("20240002", prefix="B", samples=1, members=("bob",)))
    samples = {(s["containerBarcode"][-1], s["location"]): s["blSampleId"] for s in mine["samples"]}
    return {
        "api": Api(client, auth),
        "session": mine["sessions"]["1"],
        "other_session": mine["sessions"]["2"],
        "samples": samples,  # (slot, position) -> blSampleId
        "foreign_session": theirs["sessions"]["1"],
        "foreign_sample": theirs["samples"][0]["blSampleId"],
        "proposalId": mine["proposalId"],
    }
