"""Checks without servers: targets, selection, reports, HTTP failures, the CLI and the plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from scicatlive.checks import ALL_CHECKS, Selection, Status, Target, check_ids, run_checks
from scicatlive.checks.consistency import same
from scicatlive.checks.model import CheckFailed
from scicatlive.checks.report import to_json, to_junit
from scicatlive.clients.target import Account, load_credentials_file, target_from_options
from scicatlive.cli.app import app
from scicatlive.errors import ConfigError

IDS = {
    "services.healthy", "services.urls", "accounts.login", "access.matrix", "datasets.lifecycle", "search.findable",
    "consistency.datasets", "consistency.derived", "consistency.samples", "consistency.counts", "ispyb.auth",
    "ispyb.pagination", "ispyb.puck-capacity", "frontend.index", "frontend.config", "frontend.datasets",
    "jobs.broker", "jobs.archive", "ldap.login", "oidc.login", "search.panosc", "search.oaipmh", "search.landing",
    "ispyb.mxcube-write", "sync.follow",
}  # fmt: skip


def test_every_check_has_a_unique_id_and_a_description() -> None:
    assert set(check_ids()) == IDS and len(check_ids()) == len(IDS)
    assert all(c.description for c in ALL_CHECKS)
    assert {c.id for c in ALL_CHECKS if c.writes} == {
        "access.matrix", "datasets.lifecycle", "search.findable", "jobs.broker", "jobs.archive",
        "ispyb.mxcube-write", "sync.follow"}


def test_selection_takes_ids_families_and_commas() -> None:
    chosen = Selection.parse(only=["consistency,ispyb.auth"], skip=["consistency.counts"]).checks()
    assert [c.id for c in chosen] == ["ispyb.auth", "consistency.datasets", "consistency.derived", "consistency.samples"]


def test_an_unknown_check_id_is_a_usage_error_listing_the_ids() -> None:
    with pytest.raises(ConfigError) as raised:
        Selection.parse(skip=["acess.matrix"])
    assert raised.value.exit_code == 2
    assert "unknown check id 'acess.matrix'" in raised.value.message and "access.matrix" in raised.value.message


def test_credentials_files_in_three_shapes(tmp_path: Path) -> None:
    listed = tmp_path / "a.yaml"
    listed.write_text("accounts:\n  - {username: admin, password: s3cret-pw, groups: [admin]}\n")
    mapping = tmp_path / "b.json"
    mapping.write_text(json.dumps({"user1": {"password": "pw-user-1", "groups": ["group1"]}}))
    bare = tmp_path / "c.yaml"
    bare.write_text("- username: user2\n  password: pw-user-2\n")
    assert load_credentials_file(listed)["admin"].groups == ("admin",)
    assert load_credentials_file(mapping)["user1"].password.get_secret_value() == "pw-user-1"
    assert load_credentials_file(bare)["user2"].groups == ()


def test_a_bad_credentials_file_says_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts:\n  - {username: admin}\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: accounts\[0\].password: Field required"):
        load_credentials_file(bad)
    with pytest.raises(ConfigError, match="cannot read the credentials file"):
        load_credentials_file(tmp_path / "missing.yaml")


def test_options_win_over_the_environment_and_are_checked() -> None:
    env = {"SCICATLIVE_BACKEND_URL": "http://env:3000/", "SCICATLIVE_USERNAME": "user1", "SCICATLIVE_PASSWORD": "pw-from-env"}
    target = target_from_options(backend_url=None, ispyb_url="http://ispyb:8000", environ=env)
    assert target.backend_url == "http://env:3000" and target.password("user1") == "pw-from-env"
    assert target_from_options(backend_url="https://given", environ=env).backend_url == "https://given"
    with pytest.raises(ConfigError, match="no backend URL"):
        target_from_options(backend_url=None, environ={})
    with pytest.raises(ConfigError, match="is not an http"):
        target_from_options(backend_url="ftp://x", environ={})
    with pytest.raises(ConfigError, match="needs a password"):
        target_from_options(backend_url="http://x", username="u", environ={})


def test_the_target_never_shows_a_password() -> None:
    target = Target(backend_url="http://x", accounts={"admin": Account(password=SecretStr("hunter2-secret"))})
    assert "hunter2-secret" not in repr(target) and "hunter2-secret" not in json.dumps(target.describe())


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def test_an_unreachable_backend_fails_with_the_operation_and_url() -> None:
    target = Target(backend_url="http://backend.invalid:3000", accounts={"admin": Account(password=SecretStr("pw-admin-1"))})
    report = run_checks(target, Selection.parse(only=["services.urls", "accounts"]), transport=httpx.MockTransport(_unreachable))
    messages = {r.id: r.message for r in report.results}
    assert all(r.status is Status.FAILED for r in report.results)
    assert "probe backend: http://backend.invalid:3000/api/v3/health did not answer (ConnectError: connection refused)" in messages["services.urls"]
    assert "log in to SciCat as admin" in messages["accounts.login"] and "pw-admin-1" not in messages["accounts.login"]


def test_checks_that_do_not_apply_are_skipped_with_the_reason() -> None:
    report = run_checks(Target(backend_url="http://x"), Selection.parse(only=["services.healthy", "ispyb", "frontend", "access"], read_only=True),
                        transport=httpx.MockTransport(_unreachable))  # fmt: skip
    reasons = {r.id: r.message for r in report.results}
    assert all(r.status is Status.SKIPPED for r in report.results), reasons
    assert reasons["services.healthy"].startswith("not a stack started here")
    assert reasons["ispyb.auth"].startswith("no ISPyB")
    assert reasons["frontend.config"].startswith("no frontend")
    assert reasons["access.matrix"] == "--read-only: this check writes"


def test_json_and_junit_carry_every_result() -> None:
    report = run_checks(Target(backend_url="http://x"), Selection.parse(only=["services.urls", "frontend"]),
                        transport=httpx.MockTransport(_unreachable))  # fmt: skip
    data = to_json(report)
    assert data["ok"] is False and data["counts"] == {"passed": 0, "failed": 1, "skipped": 3}
    suite = to_junit(report).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "4" and suite.get("failures") == "1" and suite.get("skipped") == "3"
    failure = suite.find("testcase[@name='services.urls']/failure")
    assert failure is not None and "did not answer" in (failure.text or "")


@pytest.mark.parametrize(("expected", "found", "equal"), [
    (0.960671, 0.9606710076332092, True), (1800, 1800, True), (1800, 1799, False),
    ("Omega", "Omega", True), (None, None, True), (None, 0, False), (True, 1, False),
])  # fmt: skip
def test_values_compare_at_ispyb_precision(expected: object, found: object, equal: bool) -> None:
    assert same(expected, found) is equal


def test_a_check_failure_message_is_kept_verbatim() -> None:
    assert CheckFailed("expected 1, found 2").message == "expected 1, found 2"


def test_cli_lists_the_checks_and_refuses_unknown_ids() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["check", "--list", "--json"])
    assert listed.exit_code == 0 and {c["id"] for c in json.loads(listed.stdout)} == IDS
    bad = runner.invoke(app, ["check", "--only", "nope", "--backend-url", "http://x"])
    assert bad.exit_code == 2 and "unknown check id 'nope'" in bad.output


def test_cli_exits_1_on_a_failure_and_writes_junit(tmp_path: Path) -> None:
    junit = tmp_path / "checks.xml"
    result = CliRunner().invoke(app, ["check", "--backend-url", "http://127.0.0.1:9", "--only", "services.urls", "--junit", str(junit), "--json"])
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["counts"]["failed"] == 1
    assert "<failure" in junit.read_text()


def test_the_installed_plugin_registers_its_options_and_fixtures(tmp_path: Path) -> None:
    """Found through the pytest11 entry point: a user's project needs no configuration."""
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    helped = subprocess.run([*command, "--help"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert all(option in helped for option in ("--scicatlive-profile", "--scicatlive-recipe", "--scicatlive-url"))
    fixtures = subprocess.run([*command, "--fixtures"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert all(name in fixtures for name in ("scicat_stack [session scope]", "scicat_client", "ispyb_client"))


def test_frontend_config_is_read_where_the_frontend_serves_it() -> None:
    def frontend(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return httpx.Response(200, html="<!doctype html><html><body>SciCat</body></html>")
        if request.url.path == "/config.json":
            return httpx.Response(200, json={"lbBaseURL": "http://backend:3000/"})
        return httpx.Response(404, json={"detail": "Not Found"})

    target = Target(backend_url="http://backend:3000", frontend_url="http://frontend")
    report = run_checks(target, Selection.parse(only=["frontend.index", "frontend.config"]), transport=httpx.MockTransport(frontend))
    assert [r.status for r in report.results] == [Status.PASSED, Status.PASSED], report.results
    assert report.result("frontend.config").message == "/config.json points at the backend http://backend:3000"


def _frontend_and_backend(shown: int, published: int) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "frontend" and request.url.path == "/datasets":
            return httpx.Response(200, html=f"<html><span data-testid='range'>1 – 25 of {shown}</span></html>")
        if request.url.path == "/api/v3/datasets/fullfacet":
            return httpx.Response(200, json=[{"all": [{"totalSets": published}]}])
        return httpx.Response(404)

    return httpx.MockTransport(answer)


def test_frontend_datasets_page_counts_what_the_backend_publishes() -> None:
    target = Target(backend_url="http://backend:3000", frontend_url="http://frontend")
    report = run_checks(target, Selection.parse(only=["frontend.datasets"]), transport=_frontend_and_backend(40, 40))
    assert report.result("frontend.datasets").message == "http://frontend/datasets lists all 40 published datasets"
    broken = run_checks(target, Selection.parse(only=["frontend.datasets"]), transport=_frontend_and_backend(39, 40))
    assert broken.result("frontend.datasets").status == Status.FAILED
    assert broken.result("frontend.datasets").message == (
        "http://frontend/datasets: expected 40 published datasets (backend fullfacet), the page shows 39"
    )


def test_the_consistency_sample_is_fixed_small_and_order_free() -> None:
    from scicatlive.checks.consistency_read import SAMPLE_PROPOSALS, sample_of

    rows = [{"proposal": f"MX{n:08d}"} for n in range(150)]
    chosen = sample_of(rows)
    assert len(chosen) == SAMPLE_PROPOSALS
    assert sample_of(list(reversed(rows))) == chosen  # the same proposals whatever the listing order
    assert {r["proposal"] for r in chosen} != {r["proposal"] for r in rows[:SAMPLE_PROPOSALS]}  # spread, not the first
    assert sample_of(rows[:3]) == sorted(rows[:3], key=lambda r: chosen and __import__("hashlib").sha256(r["proposal"].encode()).hexdigest())
