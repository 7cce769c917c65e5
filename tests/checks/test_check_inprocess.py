"""The full check suite against a real scicat-lite and ISPyB mock (in-process, real databases),
seeded with ``tiny``: it passes, and each way of breaking the stack fails the right check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.checks.conftest import make_target
from tests.support import free_port

from scicatlive.checks import Selection, Status, Target, run_checks
from scicatlive.checks.report import to_junit

pytestmark = pytest.mark.database
NOT_DOCKER = Selection.parse(skip=["services.healthy"])


def _client(target: Target, account: str) -> httpx.Client:
    client = httpx.Client(base_url=target.backend_url, timeout=30)
    reply = httpx.post(f"{target.backend_url}/api/v3/auth/login", json={"username": account, "password": target.password(account)})
    client.headers["Authorization"] = f"Bearer {reply.raise_for_status().json()['access_token']}"
    return client


def _raw_datasets(client: httpx.Client) -> list[dict[str, Any]]:
    filter_ = json.dumps({"where": {"type": "raw"}, "limits": {"limit": 1000}})
    found: list[dict[str, Any]] = client.get("/api/v3/datasets", params={"filter": filter_}).raise_for_status().json()
    return found


def _failed(target: Target, only: list[str] | None = None) -> dict[str, str]:
    report = run_checks(target, Selection.parse(only=only or [], skip=["services.healthy"]))
    return {r.id: r.message for r in report.results if r.status is Status.FAILED}


def test_the_full_suite_passes_on_a_seeded_stack(seeded: Target) -> None:
    report = run_checks(seeded, NOT_DOCKER)
    statuses = {r.id: r.status.value for r in report.results}
    assert not report.failed, [(r.id, r.message) for r in report.failed]
    assert statuses["frontend.index"] == "skipped" and statuses["frontend.config"] == "skipped"
    features = {r.id for r in report.results if r.message.startswith("feature ") and " is off " in r.message}
    assert features == {"jobs.broker", "jobs.archive", "search.panosc", "search.oaipmh", "search.landing",
                        "ldap.login", "oidc.login", "sync.follow"}  # fmt: skip
    assert all(s == "passed" for i, s in statuses.items() if not i.startswith("frontend") and i not in features), statuses
    assert report.seconds < 30
    junit = to_junit(report).getroot()
    assert junit.find("testsuite").get("failures") == "0"  # type: ignore[union-attr]


def test_read_only_runs_no_writing_check(seeded: Target) -> None:
    report = run_checks(seeded, Selection.parse(skip=["services.healthy"], read_only=True))
    skipped = {r.id for r in report.results if r.status is Status.SKIPPED}
    assert {"access.matrix", "datasets.lifecycle", "search.findable"} <= skipped
    assert not report.failed


def test_the_checks_leave_nothing_behind(seeded: Target) -> None:
    with _client(seeded, "admin") as admin:
        before = admin.get("/api/v3/datasets/count").json()["count"], admin.get("/api/v3/samples/count").json()
        run_checks(seeded, Selection.parse(only=["access", "datasets", "search"]))
        after = admin.get("/api/v3/datasets/count").json()["count"], admin.get("/api/v3/samples/count").json()
    assert before == after


def test_a_stopped_ispyb_fails_the_ispyb_and_consistency_checks(seeded: Target) -> None:
    stopped = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the ISPyB of this target is down
    target = seeded.model_copy(update={"ispyb_url": stopped})
    failed = _failed(target)
    assert {"ispyb.auth", "ispyb.pagination", "consistency.datasets", "consistency.counts", "accounts.login"} <= set(failed)
    assert "did not answer" in failed["ispyb.auth"] and stopped in failed["ispyb.auth"]
    assert "read ISPyB" in failed["consistency.datasets"]


def _consistency_failures_with(
    admin: httpx.Client, target: Target, pid: str, change: dict[str, Any], restore: dict[str, Any]
) -> dict[str, str]:
    """The consistency checks' failures while the dataset carries ``change``; then ``restore``."""
    path = f"/api/v3/datasets/{pid.replace('/', '%2F')}"
    admin.patch(path, json=change).raise_for_status()
    try:
        return _failed(target, ["consistency"])
    finally:
        admin.patch(path, json=restore).raise_for_status()


def test_a_dataset_in_the_wrong_group_fails_consistency(seeded: Target) -> None:
    with _client(seeded, "admin") as admin:
        dataset = _raw_datasets(admin)[0]
        pid, group = dataset["pid"], dataset["ownerGroup"]
        failed = _consistency_failures_with(admin, seeded, pid, {"ownerGroup": "group2"}, {"ownerGroup": group})
    assert set(failed) == {"consistency.datasets"}, failed
    assert f"raw dataset {pid}: expected ownerGroup {group!r}, found 'group2'" in failed["consistency.datasets"]


def test_a_raw_dataset_with_another_workflow_fails_consistency(seeded: Target) -> None:
    with _client(seeded, "admin") as admin:
        dataset = next(d for d in _raw_datasets(admin) if "workflowType" in d["scientificMetadata"])
        pid, meta = dataset["pid"], dataset["scientificMetadata"]
        expected = meta["workflowType"]["value"]
        wrong = {**meta, "workflowType": {"value": "MeshScan", "unit": ""}}
        failed = _consistency_failures_with(admin, seeded, pid, {"scientificMetadata": wrong}, {"scientificMetadata": meta})
    assert set(failed) == {"consistency.datasets"}, failed
    assert f"raw dataset {pid}: expected workflowType = {expected!r}, found 'MeshScan'" in failed["consistency.datasets"]


def test_a_deleted_raw_dataset_fails_consistency(seeded: Target) -> None:
    from scicatlive.seeding.run import seed
    from scicatlive.sync import sync

    with _client(seeded, "archiveManager") as deleter, _client(seeded, "admin") as admin:
        dataset = _raw_datasets(admin)[-1]
        pid = dataset["pid"]
        name = f"{dataset['scientificMetadata']['imageDirectory']['value']}{dataset['datasetName']}"
        blocks = admin.get("/api/v3/origdatablocks", params={"filter": json.dumps({"where": {"datasetId": pid}})}).json()
        for block in blocks:
            deleter.delete(f"/api/v3/origdatablocks/{block['_id']}").raise_for_status()
        deleter.delete(f"/api/v3/datasets/{pid.replace('/', '%2F')}").raise_for_status()
    try:
        failed = _failed(seeded, ["consistency"])
    finally:  # put it back: seeding is idempotent and re-creates exactly what is missing,
        seed(seeded.model_copy(update={"ispyb_url": None}), "tiny")
        sync(seeded)  # and sync what other checks wrote to ISPyB (ispyb.mxcube-write's collection)
    assert {"consistency.datasets", "consistency.counts"} <= set(failed)
    assert f"data collection {name}: expected exactly 1 raw dataset (expected pid {pid}), found 0" in failed["consistency.datasets"]
    assert "raw datasets: ISPyB" in failed["consistency.counts"]
    assert not _failed(seeded, ["consistency"])


def test_a_frontend_pointing_elsewhere_fails_frontend_config(seeded: Target, frontend_site: tuple[str, Path]) -> None:
    url, root = frontend_site
    target = seeded.model_copy(update={"frontend_url": url})
    config = root / "assets" / "config.json"
    config.write_text(json.dumps({"lbBaseURL": seeded.backend_url}))
    assert not _failed(target, ["frontend.index", "frontend.config"])
    config.write_text(json.dumps({"lbBaseURL": "http://elsewhere.invalid:3000"}))
    failed = _failed(target, ["frontend.index", "frontend.config"])
    assert set(failed) == {"frontend.config"}
    assert failed["frontend.config"] == (
        f"frontend /assets/config.json: expected lbBaseURL {seeded.backend_url}, found 'http://elsewhere.invalid:3000'"
    )


def test_an_account_with_a_wrong_password_fails_login(seeded: Target) -> None:
    from pydantic import SecretStr

    from scicatlive.clients.target import Account

    accounts = dict(seeded.accounts)
    accounts["user2"] = Account(password=SecretStr("not-the-password"), groups=("group2",))
    failed = _failed(seeded.model_copy(update={"accounts": accounts}), ["accounts"])
    assert "log in to SciCat as user2: 401 Unauthorized" in failed["accounts.login"]
    assert "not-the-password" not in failed["accounts.login"]


def test_group_b_reading_group_a_data_would_fail_the_matrix(seeded: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix can fail: claim group B may read group A's datasets, and it reports the mismatch."""
    from scicatlive.checks import access

    rules = dict(access.RULES)
    rules[("datasets", "read")] = frozenset({access.USER_A, access.USER_B, access.ADMIN})
    monkeypatch.setattr(access, "RULES", rules)
    failed = _failed(seeded, ["access.matrix"])
    assert "read unpublished dataset as group B (user2): expected allowed, got 403" in failed["access.matrix"]


def test_a_remote_target_with_a_single_account_skips_what_it_cannot_do(seeded: Target, scicat_url: str) -> None:
    target = make_target(scicat_url, None, {n: seeded.password(n) for n in seeded.accounts})
    only_user1 = target.model_copy(update={"accounts": {"user1": target.accounts["user1"]}})
    report = run_checks(only_user1, NOT_DOCKER)
    statuses = {r.id: r.status for r in report.results}
    assert not report.failed, [(r.id, r.message) for r in report.failed]
    assert statuses["accounts.login"] is Status.PASSED
    assert statuses["access.matrix"] is Status.SKIPPED and statuses["consistency.datasets"] is Status.SKIPPED
