"""UPDATE_DATASET_LIFECYCLE_GROUPS read every dataset (upstream v5.2.1's casl factory gives them
``DatasetReadAny``): an archive system reads the lifecycle of datasets of groups it is not in
before it writes it. Found by ``scicatlive check``'s jobs.archive on a lite-all stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from lite_harness import LiteServer, serve_lite

from tests.support import free_port, scratch_postgres

pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def lite(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteServer]:
    env = {"UPDATE_DATASET_LIFECYCLE_GROUPS": "archivemanager"}
    folder = Path(tmp_path_factory.mktemp("lifecycle"))
    with scratch_postgres(postgres_server, prefix="scicat_lite") as database, serve_lite(database, folder, free_port(), env) as server:
        yield server


def _dataset(owner: httpx.Client) -> str:
    body = {"type": "raw", "ownerGroup": "group1", "owner": "o", "contactEmail": "o@example.org",
            "sourceFolder": "/data/x", "creationTime": "2024-01-01T00:00:00Z",
            "principalInvestigator": "pi", "creationLocation": "/l"}  # fmt: skip
    answer = owner.post("/api/v3/datasets", json=body)
    assert answer.status_code == 201, answer.text
    return quote(answer.json()["pid"], safe="")


def test_the_lifecycle_group_reads_any_dataset_and_its_lifecycle(lite: LiteServer) -> None:
    with lite.client("user1") as owner, lite.client("archiveManager") as archiver, lite.client("user2") as other:
        pid = _dataset(owner)
        for version in ("v3", "v4"):
            assert archiver.get(f"/api/{version}/datasets/{pid}").status_code == 200, version
            lifecycle = archiver.get(f"/api/{version}/datasets/{pid}/datasetlifecycle")
            assert lifecycle.status_code == 200 and lifecycle.json()["archiveStatusMessage"] == "datasetCreated"
            assert other.get(f"/api/{version}/datasets/{pid}/datasetlifecycle").status_code == 403
        listed = archiver.get("/api/v3/datasets", params={"filter": '{"where": {"ownerGroup": "group1"}}'}).json()
        assert quote(listed[0]["pid"], safe="") == pid
        assert archiver.get("/api/v4/datasets", params={"filter": '{"where": {"ownerGroup": "group1"}}'}).json()
        found = archiver.get("/api/v3/datasets/fullquery", params={"fields": '{"ownerGroup": ["group1"]}'}).json()
        assert [quote(d["pid"], safe="") for d in found] == [pid]
        assert other.get("/api/v3/datasets", params={"filter": '{"where": {"ownerGroup": "group1"}}'}).json() == []


def test_the_lifecycle_group_does_not_read_a_datasets_children(lite: LiteServer) -> None:
    """DatasetReadAny is not DatasetAttachmentReadAny: attachments keep their own rules."""
    with lite.client("user1") as owner, lite.client("archiveManager") as archiver:
        pid = _dataset(owner)
        assert archiver.get(f"/api/v3/datasets/{pid}/attachments").status_code == 403
