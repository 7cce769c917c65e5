"""`lite-all` from local builds only, seeded with ``tiny``: `scicatlive check` passes every check,
the feature checks included (jobs through RabbitMQ and the archive worker, LDAP logins against
slapd, the OIDC code flow through LemonLDAP::NG, the PaNOSC API, OAI-PMH and landing pages).
Then a broken feature fails its check: the archive worker stopped, a person's LDAP group changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scicatlive import Stack
from scicatlive.checks import Status, Target
from scicatlive.engine import Engine
from tests.support import docker_engine, environment

pytestmark = pytest.mark.docker
STACK = "hc-features"
FEATURE_CHECKS = {"jobs.broker", "jobs.archive", "ldap.login", "oidc.login", "search.panosc", "search.oaipmh", "search.landing"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return docker_engine()


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("hc-state")
    with environment(SCICATLIVE_STATE_DIR=str(folder)):
        yield folder


@pytest.fixture(scope="module")
def stack(engine: Engine, state: Path) -> Iterator[Stack]:
    handle = Stack("lite-all", name=STACK, port_offset="auto", engine=engine)
    assert all(service.is_local for service in handle.resolved.services.values())
    try:
        handle.up(timeout=900, seed="tiny")
        yield handle
    finally:
        handle.down(volumes=True)


@pytest.fixture
def target(stack: Stack, state: Path, monkeypatch: pytest.MonkeyPatch) -> Target:
    monkeypatch.setenv("SCICATLIVE_STATE_DIR", str(state))
    return stack.target


def test_scicatlive_check_passes_every_check(stack: Stack, state: Path) -> None:
    """The command a user runs, in its own process."""
    env = {**os.environ, "SCICATLIVE_STATE_DIR": str(state)}
    done = subprocess.run([sys.executable, "-m", "scicatlive", "check", "--stack", STACK, "--json"],
                          capture_output=True, text=True, env=env, timeout=900, check=False)  # fmt: skip
    report = json.loads(done.stdout)
    results = {r["id"]: r for r in report["results"]}
    assert done.returncode == 0, [(r["id"], r["message"]) for r in report["results"] if r["status"] == "failed"]
    # lite-all has SciCatLive's feature switches; the follower is lite-live's (tests/live).
    assert report["counts"]["failed"] == 0 and report["counts"]["skipped"] == 1, {
        i: r["message"] for i, r in results.items() if r["status"] != "passed"}
    assert results["sync.follow"]["message"].startswith("feature follow is off")
    assert FEATURE_CHECKS <= set(results)
    print("\n".join(f"{i}: {results[i]['seconds']:.2f} s: {results[i]['message']}" for i in sorted(FEATURE_CHECKS)))
    assert "ldap-user" in results["ldap.login"]["message"] and "ldap-user" in results["oidc.login"]["message"]
    assert "ldap-user" not in results["accounts.login"]["message"]
    assert results["search.oaipmh"]["message"].startswith("ListRecords returned all 2 published-data records once")


def test_a_stopped_archive_worker_fails_jobs_archive(stack: Stack, target: Target, engine: Engine,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from scicatlive.checks import jobs

    monkeypatch.setattr(jobs, "ARCHIVE_BOUND_SECONDS", 10.0)
    worker = f"{stack.project}-archive-worker-1"
    engine.client().container.stop(worker)
    try:
        report = stack.check(only=["jobs"])
    finally:
        engine.client().container.start(worker)
    results = {r.id: r for r in report.results}
    assert results["jobs.broker"].status is Status.PASSED, results["jobs.broker"].message  # the broker still takes it
    archive = results["jobs.archive"]
    assert archive.status is Status.FAILED
    assert "expected a finished status within 10 s, found 'jobSubmitted'" in archive.message
    assert "client.jobs.write.v4 has 0 consumer(s)" in archive.message


def test_a_person_moved_to_another_directory_group_fails_the_logins(stack: Stack, target: Target,
                                                                     engine: Engine) -> None:  # fmt: skip
    """slapd is rebuilt from the profile on every start; here the running directory is changed."""
    password = stack.credentials().secrets["ldap_admin_password"]
    ldif = ("dn: ou=group2,ou=groups,dc=facility\nchangetype: modify\nadd: uniqueMember\n"
            "uniqueMember: cn=ldap-user,ou=group1,ou=users,dc=facility\n")  # fmt: skip
    container = f"{stack.project}-ldap-1"
    modify = ["ldapmodify", "-x", "-H", "ldap://127.0.0.1:3893", "-D", "cn=admin,dc=facility", "-w", password]
    subprocess.run(["docker", "exec", "-i", container, *modify], input=ldif, text=True, check=True, capture_output=True)
    try:
        report = stack.check(only=["ldap", "oidc"])
    finally:
        subprocess.run(["docker", "exec", "-i", container, *modify], input=ldif.replace("add:", "delete:"),
                       text=True, check=True, capture_output=True)  # fmt: skip
    for check in ("ldap.login", "oidc.login"):
        result = report.result(check)
        assert result.status is Status.FAILED, result.message
        assert "login of ldap-user: expected groups ['group1'], found ['group1', 'group2'] (not theirs: ['group2'])" in result.message
