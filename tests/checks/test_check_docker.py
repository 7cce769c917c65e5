"""The full check suite on a real lite stack seeded with ``tiny``, and the stack broken on purpose."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from scicatlive import Stack
from scicatlive.checks import Selection, Status, Target, run_checks
from scicatlive.engine import Engine
from tests.support import docker_engine, environment

pytestmark = pytest.mark.docker
STACK = "it-checks"
STATE: dict[str, str] = {}  # the module stack's state directory (tests get isolated ones)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return docker_engine()


@pytest.fixture(scope="module")
def stack(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    STATE["dir"] = str(tmp_path_factory.mktemp("checks-state"))
    with environment(SCICATLIVE_STATE_DIR=STATE["dir"]):
        handle = Stack("lite", name=STACK, engine=engine)  # a free block of ports
        try:
            handle.up(seed="tiny")
            yield handle
        finally:
            handle.down(volumes=True)


@pytest.fixture
def target(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Target:
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", STATE["dir"])
    return stack.target


def _failed(target: Target, only: list[str] | None = None) -> dict[str, str]:
    report = run_checks(target, Selection.parse(only=only or []))
    return {r.id: r.message for r in report.results if r.status is Status.FAILED}


def _admin(target: Target, account: str = "admin") -> httpx.Client:
    token = httpx.post(f"{target.backend_url}/api/v3/auth/login",
                       json={"username": account, "password": target.password(account)}).json()["access_token"]  # fmt: skip
    return httpx.Client(base_url=target.backend_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_the_full_suite_passes(target: Target) -> None:
    """How long it takes is a benchmark's business (benchmarks/bench_checks.py)."""
    report = run_checks(target)
    assert not report.failed, [(r.id, r.message) for r in report.failed]
    off = {r.id for r in report.results if r.status is Status.SKIPPED and r.message.startswith("feature ")}
    assert off == {"jobs.broker", "jobs.archive", "ldap.login", "oidc.login", "search.panosc", "search.oaipmh",
                   "search.landing", "sync.follow"}  # lite has no features; lite-all's are checked in
    # test_check_features_docker, lite-live's follower in tests/live/test_live_docker
    others = [r for r in report.results if not r.id.startswith("frontend") and r.id not in off]
    assert all(r.status is Status.PASSED for r in others), [(r.id, r.message) for r in others if r.status is not Status.PASSED]


def test_a_dataset_in_the_wrong_group_fails_consistency(target: Target) -> None:
    with _admin(target) as admin:
        dataset = admin.get("/api/v3/datasets", params={"filter": json.dumps({"where": {"type": "raw"}, "limits": {"limit": 1}})}).json()[0]
        path = f"/api/v3/datasets/{dataset['pid'].replace('/', '%2F')}"
        admin.patch(path, json={"ownerGroup": "group2"}).raise_for_status()
        try:
            failed = _failed(target, ["consistency"])
        finally:
            admin.patch(path, json={"ownerGroup": dataset["ownerGroup"]}).raise_for_status()
    assert set(failed) == {"consistency.datasets"}
    assert f"expected ownerGroup {dataset['ownerGroup']!r}, found 'group2'" in failed["consistency.datasets"]


def test_a_deleted_raw_dataset_fails_consistency(target: Target, stack: Stack) -> None:
    with _admin(target) as admin, _admin(target, "archiveManager") as deleter:
        dataset = admin.get("/api/v3/datasets", params={"filter": json.dumps({"where": {"type": "raw"}, "limits": {"limit": 1}})}).json()[0]
        pid = dataset["pid"]
        for block in admin.get("/api/v3/origdatablocks", params={"filter": json.dumps({"where": {"datasetId": pid}})}).json():
            deleter.delete(f"/api/v3/origdatablocks/{block['_id']}").raise_for_status()
        deleter.delete(f"/api/v3/datasets/{pid.replace('/', '%2F')}").raise_for_status()
    try:
        failed = _failed(target, ["consistency"])
    finally:
        stack.seed("tiny")
    assert {"consistency.datasets", "consistency.counts"} <= set(failed)
    assert f"expected exactly 1 raw dataset (expected pid {pid}), found 0" in failed["consistency.datasets"]
    assert not _failed(target, ["consistency"])


def test_a_frontend_pointing_elsewhere_fails_frontend_config(target: Target, engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No frontend image is built for the lite profile here: a static frontend stands in for it."""
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path_factory.mktemp("frontend")
    (root / "assets").mkdir()
    (root / "index.html").write_text("<!doctype html><html><body>SciCat</body></html>")
    (root / "assets" / "config.json").write_text(json.dumps({"lbBaseURL": "http://127.0.0.1:1/elsewhere"}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: SimpleHTTPRequestHandler(*a, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        failed = _failed(target.model_copy(update={"frontend_url": f"http://127.0.0.1:{server.server_address[1]}"}), ["frontend.index", "frontend.config"])
    finally:
        server.shutdown()
    assert set(failed) == {"frontend.config"}
    assert f"expected lbBaseURL {target.backend_url}, found 'http://127.0.0.1:1/elsewhere'" in failed["frontend.config"]


def test_a_stopped_ispyb_mock_fails_services_ispyb_and_consistency(target: Target, engine: Engine, stack: Stack) -> None:
    container = f"{stack.project}-ispyb-mock-1"
    engine.client().container.stop(container)
    try:
        failed = _failed(target)
    finally:
        engine.client().container.start(container)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _failed(target, ["ispyb.auth"]):
            time.sleep(1)
    assert {"services.healthy", "services.urls", "ispyb.auth", "consistency.datasets"} <= set(failed)
    assert "ispyb-mock: expected running and healthy, found exited" in failed["services.healthy"]
    assert "did not answer" in failed["ispyb.auth"]
