"""The change feed: new or changed sessions, collections and processing after a cursor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.db import create_schema, make_sessionmaker
from ispyb_mock.feed.tracking import install_change_tracking
from ispyb_mock.models import DataCollection
from sqlalchemy import Engine

pytestmark = pytest.mark.database

Auth = Callable[[str], dict[str, str]]


def changes(client: Any, auth: Auth, user: str = "admin", **params: Any) -> dict[str, Any]:
    reply = client.get(f"{API}/changes", params=params, headers=auth(user))
    assert reply.status_code == 200, reply.text
    page: dict[str, Any] = reply.json()
    return page


def follow(
    client: Any, auth: Auth, after: str = "0", limit: int = 7, **params: Any
) -> tuple[list[dict[str, Any]], str]:
    """Page to the end as a follower does; returns every change and the cursor to keep."""
    seen: list[dict[str, Any]] = []
    while True:
        page = changes(client, auth, after=after, limit=limit, **params)
        seen += page["results"]
        after = page["next"]
        if len(page["results"]) < limit:
            return seen, after


def kinds(seen: list[dict[str, Any]]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for change in seen:
        found.setdefault(change["type"], set()).add(change["id"])
    return found


def test_a_load_appears_once_per_entity_and_paging_loses_nothing(
    client: Any, auth: Auth, load: Callable[..., dict[str, Any]], make_graph: Any
) -> None:
    empty = changes(client, auth)
    assert (empty["total"], empty["results"], empty["head"], empty["next"]) == (0, [], 0, "0")
    loaded = load(make_graph(pucks=2, samples=3))
    seen, cursor = follow(client, auth, limit=4)  # pages cut through the load's position
    collections = {dc["dataCollectionId"] for dc in loaded["dataCollections"]}
    programs = {p for dc in loaded["dataCollections"] for p in dc["autoProcProgramIds"]}
    assert kinds(seen) == {
        "session": set(loaded["sessions"].values()),
        "dc": collections,
        "processing": programs,
    }
    assert len(seen) == 2 + len(collections) + len(programs)  # each entity once
    assert {change["position"] for change in seen} == {1}  # one transaction, one position
    assert all(change["proposal"] == loaded["proposal"] for change in seen)
    processing = next(change for change in seen if change["type"] == "processing")
    assert (
        processing["dataCollectionId"] in collections
        and processing["autoProcProgramId"] == processing["id"]
    )
    again = changes(client, auth, after=cursor)
    assert (again["total"], again["results"], again["next"], again["head"]) == (0, [], cursor, 1)


def test_changes_after_the_cursor_only(
    client: Any, auth: Auth, load: Callable[..., dict[str, Any]], make_graph: Any
) -> None:
    loaded = load(make_graph(samples=2))
    _, cursor = follow(client, auth)
    dc_id = loaded["dataCollections"][0]["dataCollectionId"]
    session_id = loaded["sessions"]["1"]
    reply = client.post(
        f"{API}/datacollections/datacollection",
        json={
            "sessionId": session_id,
            "collection_id": dc_id,
            "group_id": loaded["dataCollections"][0]["dataCollectionGroupId"],
            "status": "Data collection failed",
        },  # fmt: skip
        headers=auth("admin"),
    )
    assert reply.status_code == 200, reply.text
    page = changes(client, auth, after=cursor)
    assert [(c["type"], c["id"], c["position"]) for c in page["results"]] == [("dc", dc_id, 2)]
    assert page["head"] == 2 and page["next"] == f"2:dc:{dc_id}"
    only_sessions = changes(client, auth, after=cursor, type="session")
    assert only_sessions["results"] == [] and only_sessions["next"] == "2"  # nothing for it


def test_members_follow_only_their_proposals(
    client: Any, auth: Auth, load: Callable[..., dict[str, Any]], make_graph: Any
) -> None:
    mine = load(make_graph("20240001", prefix="A", members=("alice",)))
    load(make_graph("20240002", prefix="B", members=("bob",)))
    seen, _ = follow(client, auth, user="admin")
    assert {c["proposal"] for c in seen} == {"MX20240001", "MX20240002"}
    reply = client.get(f"{API}/changes", params={"limit": 1000}, headers=auth("alice"))
    assert {c["proposal"] for c in reply.json()["results"]} == {mine["proposal"]}


@pytest.mark.parametrize("after", ["-1", "abc", "3:dc", "3:sample:4", "3:dc:x"])
def test_a_bad_cursor_names_after(client: Any, auth: Auth, after: str) -> None:
    reply = client.get(f"{API}/changes", params={"after": after}, headers=auth("admin"))
    assert reply.status_code == 422 and reply.json()["field"] == "after"


def test_positions_follow_commit_order(
    clean_engine: Engine,
    load: Callable[..., dict[str, Any]],
    make_graph: Any,
    client: Any,
    auth: Auth,
) -> None:
    """A transaction that started first but commits last gets the later position, so a
    follower that already read past the first commit still meets it."""
    loaded = load(make_graph(samples=2))
    _, cursor = follow(client, auth)
    first, second = (dc["dataCollectionId"] for dc in loaded["dataCollections"])
    factory = install_change_tracking(make_sessionmaker(clean_engine))
    with factory() as slow, factory() as quick:
        slow.get(DataCollection, first).comments = "written first"
        slow.flush()
        quick.get(DataCollection, second).comments = "written second"
        quick.commit()
        page = changes(client, auth, after=cursor)
        assert [c["id"] for c in page["results"]] == [second]
        slow.commit()
    later = changes(client, auth, after=page["next"])
    assert [(c["id"], c["position"]) for c in later["results"]] == [(first, page["head"] + 1)]


def test_the_epoch_survives_a_restart(clean_engine: Engine, client: Any, auth: Auth) -> None:
    epoch = changes(client, auth)["epoch"]
    create_schema(clean_engine)  # what a restarted service does
    assert changes(client, auth)["epoch"] == epoch and len(epoch) == 32
