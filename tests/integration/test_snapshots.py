"""Snapshots and the seed cache on a real lite stack: exact round trips, refusals, failed restores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scicatlive import Stack
from scicatlive.engine import Engine
from scicatlive.errors import EngineError, StackError
from scicatlive.paths import snapshots_dir
from scicatlive.snapshots.databases import DATA_SERVICES
from scicatlive.snapshots.store import MANIFEST

pytestmark = pytest.mark.docker
STACK = "it-snap"


@pytest.fixture(scope="module")
def stack(engine: Engine) -> Iterator[Stack]:
    handle = Stack("lite", name=STACK, engine=engine)
    try:
        handle.up(seed=False)
        yield handle
    finally:
        handle.down(volumes=True)


def _counts(stack: Stack) -> dict[str, dict[str, int]]:
    containers = {s.service: s for s in stack.engine.containers(stack.project)}
    return {
        service: DATA_SERVICES[service].counts(stack.engine, DATA_SERVICES[service].place(containers[service]))
        for service in ("postgres", "mariadb")
    }


def _datasets(stack: Stack) -> int:
    return sum(n for table, n in _counts(stack)["postgres"].items() if table.startswith("dataset"))


def _metadata_keys(stack: Stack) -> list[tuple[str, str, int, list[str]]]:
    """What `GET /api/v4/metadatakeys` tells an admin (it folds the backend's pending events first)."""
    target = stack.target
    with httpx.Client(base_url=target.backend_url, timeout=60) as client:
        login = {"username": "admin", "password": target.password("admin")}
        token = client.post("/api/v3/auth/login", json=login).raise_for_status().json()["access_token"]
        found = client.get("/api/v4/metadatakeys", params={"filter": json.dumps({"limits": {"limit": 10000}})},
                           headers={"Authorization": f"Bearer {token}"}).raise_for_status().json()  # fmt: skip
    return sorted((k["sourceType"], k["key"], k["usageCount"], sorted(k["userGroups"])) for k in found)


def test_save_and_restore_round_trip_exact_counts(stack: Stack) -> None:
    stack.seed("tiny", cache=False)
    assert _counts(stack)["postgres"]["metadata_key_events"] > 0  # the backend folds them on read
    manifest = stack.snapshot("morning")
    saved_counts = _counts(stack)
    assert saved_counts["mariadb"]["DataCollection"] > 0 and _datasets(stack) > 0
    assert {d.service: d.counts for d in manifest.data} == saved_counts
    assert saved_counts["postgres"]["metadata_key_events"] == 0 < saved_counts["postgres"]["metadata_keys"]
    keys = _metadata_keys(stack)
    assert keys and _counts(stack) == saved_counts  # the snapshot left nothing for the read to fold
    assert manifest.recipe == "tiny"
    stack.seed("training", cache=False)  # the day's work
    assert _counts(stack) != saved_counts
    stack.restore("morning")
    assert _counts(stack) == saved_counts
    assert _metadata_keys(stack) == keys
    assert stack.record().recipe == "tiny"
    # Every service answers at once, those that kept running (ispyb-mock) and those restarted with
    # the backend (the frontend, which would otherwise still report the backend's outage).
    assert stack.check(only=["services", "consistency", "accounts"], read_only=True).ok


def test_a_snapshot_of_other_images_is_refused_and_changes_nothing(stack: Stack) -> None:
    stack.snapshot("other-images", replace=True)
    manifest_path = snapshots_dir() / "other-images" / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["images"]["scicat-lite"] = "scicatlive/scicat-lite:000000000000@sha256:0"
    manifest_path.write_text(json.dumps(manifest))
    before = _counts(stack)
    with pytest.raises(StackError, match=r"does not fit stack 'it-snap': its images differ .*scicat-lite"):
        stack.restore("other-images")
    assert _counts(stack) == before


def test_a_failed_restore_leaves_the_old_data(stack: Stack) -> None:
    stack.snapshot("broken", replace=True)
    before = _counts(stack)
    dump = snapshots_dir() / "broken" / "mariadb.sql.gz"
    dump.write_bytes(dump.read_bytes()[: len(dump.read_bytes()) // 2])  # truncated mid-file
    with pytest.raises(EngineError, match="restoring the MariaDB dump"):
        stack.restore("broken")
    assert _counts(stack) == before
    names = stack.engine.cli("exec", f"{stack.project}-mariadb-1", "sh", "-c",
                             'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot -N -e "SHOW DATABASES"',
                             action="listing databases").split()  # fmt: skip
    assert not [n for n in names if n.endswith("__restore")], names


def test_unknown_and_bad_snapshot_names(stack: Stack) -> None:
    from scicatlive.errors import ConfigError

    with pytest.raises(StackError, match="no snapshot"):
        stack.restore("never-saved")
    with pytest.raises(ConfigError, match="is not a valid snapshot name"):
        stack.restore("../x")


def test_the_seed_cache_restores_the_same_seed_into_a_new_stack(engine: Engine, tmp_path: Path) -> None:
    first = Stack("lite", name="it-cache-a", engine=engine)
    second = Stack("lite", name="it-cache-b", engine=engine)
    try:
        first.up(seed=False)
        seeded = first.seed("tiny")
        assert seeded.source in ("api", "seed cache")
        if seeded.source == "api":  # the cache was empty: this seed filled it
            again = Stack("lite", name="it-cache-a", engine=engine)
            assert again.seed("tiny").source == "api"  # not empty any more: seeded (idempotently) through the APIs
        second.up(seed=False)
        restored = second.seed("tiny")
        assert restored.source == "seed cache"
        assert restored.scicat["raw datasets"].created == seeded.scicat["raw datasets"].created or seeded.source != "api"
        assert _counts(second) == _counts(first)
        # The cache holds no accounts: the second stack's own passwords log in (each stack has its own).
        assert {a.password for a in second.credentials().accounts}.isdisjoint(a.password for a in first.credentials().accounts)
        assert second.check(only=["consistency", "accounts"], read_only=True).ok
    finally:
        first.down(volumes=True)
        second.down(volumes=True)
