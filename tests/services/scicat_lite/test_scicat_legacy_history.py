"""v3 ``GET /datasets/{pid}`` answers the dataset's ``history`` as backend v5.2.1 does.

Upstream rebuilds it from the generic history (``convertGenericHistoriesToObsoleteHistories``
in ``src/datasets/utils/history.util.ts``): oldest first, each entry ``{updatedAt,
updatedBy, _id: "", <field>: {previousValue, currentValue}}``; the upstream frontend's
Lifecycle tab lists it. Any reader of the dataset gets it, not only history readers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from lite_harness import LiteServer, serve_lite

from tests.support import free_port, scratch_postgres

pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def tracked(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteServer]:
    workdir = Path(tmp_path_factory.mktemp("scicat-lite-history"))
    with scratch_postgres(postgres_server, prefix="scicat_history") as database:
        with serve_lite(database, workdir, free_port(), {"TRACKABLES": "Dataset"}) as server:
            yield server


def new_dataset(client: httpx.Client) -> str:
    reply = client.post(
        "/api/v3/datasets",
        json={
            "type": "raw",
            "ownerGroup": "group1",
            "accessGroups": ["group2"],
            "owner": "o",
            "contactEmail": "o@example.org",
            "sourceFolder": "/data/x",
            "creationTime": "2024-01-01T00:00:00Z",
            "principalInvestigator": "pi@example.org",
            "creationLocation": "here",
            "datasetName": "first name",
            "scientificMetadata": {"temperature": {"value": 100, "unit": "K"}},
        },
    )
    assert reply.status_code == 201, reply.text
    pid: str = reply.json()["pid"]
    return pid


def read(client: httpx.Client, pid: str, **params: Any) -> Any:
    reply = client.get(f"/api/v3/datasets/{quote(pid, safe='')}", params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_dataset_read_carries_its_history_oldest_first(tracked: LiteServer) -> None:
    with tracked.client("user1") as owner, tracked.client("user2") as reader:
        pid = new_dataset(owner)
        assert read(owner, pid)["history"] == []
        url = f"/api/v3/datasets/{quote(pid, safe='')}"
        assert owner.patch(url, json={"datasetName": "second name"}).status_code == 200
        metadata = {"temperature": {"value": 120, "unit": "K"}}
        assert owner.patch(url, json={"scientificMetadata": metadata}).status_code == 200
        # user2 reads the dataset through its access group, not the history endpoint.
        assert reader.get("/api/v3/history", params={"filter": "{}"}).status_code == 403
        history = read(reader, pid)["history"]
    assert [h["updatedBy"] for h in history] == ["user1", "user1"]
    assert history[0]["updatedAt"] <= history[1]["updatedAt"] and history[0]["_id"] == ""
    assert history[0]["datasetName"] == {
        "previousValue": "first name",
        "currentValue": "second name",
    }
    temperature = history[1]["scientificMetadata"]
    assert temperature["previousValue"]["temperature"]["value"] == 100
    assert temperature["currentValue"]["temperature"]["value"] == 120
    # The "document" strategy keeps whole documents: unchanged fields appear unchanged.
    assert history[1]["datasetName"] == {
        "previousValue": "second name",
        "currentValue": "second name",
    }


def test_history_is_left_out_when_fields_are_asked_for(tracked: LiteServer) -> None:
    with tracked.client("user1") as owner:
        pid = new_dataset(owner)
        found = read(owner, pid, filter='{"fields": ["pid", "datasetName"]}')
    assert "history" not in found


def test_lifecycle_entries_show_the_whole_lifecycle(tracked: LiteServer) -> None:
    with tracked.client("user1") as owner, tracked.client("admin") as admin:
        pid = new_dataset(owner)
        url = f"/api/v3/datasets/{quote(pid, safe='')}/datasetlifecycle"
        change = admin.patch(url, json={"archivable": False, "archiveStatusMessage": "started"})
        assert change.status_code == 200, change.text
        history = read(owner, pid)["history"]
    lifecycle = history[-1]["datasetlifecycle"]
    assert lifecycle["previousValue"]["archivable"] is True
    assert lifecycle["currentValue"]["archivable"] is False
    assert lifecycle["currentValue"]["archiveStatusMessage"] == "started"
    assert set(lifecycle["previousValue"]) == set(lifecycle["currentValue"])
