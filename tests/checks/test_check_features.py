"""The feature checks pass on a right stack and fail, each for its reason, on a broken one
(jobs, LDAP and OIDC against the doubles of feature_doubles.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from scicatlive.checks import Selection, Status, Target, run_checks
from scicatlive.checks import jobs as jobs_checks
from scicatlive.clients.target import Account
from tests.checks.feature_doubles import PROVIDER, FeatureStack, target

FEATURE_CHECKS = ["jobs.broker", "jobs.archive", "ldap.login", "oidc.login"]


def _run(stack: FeatureStack, only: list[str], on: Target | None = None) -> dict[str, tuple[Status, str]]:
    report = run_checks(on or target(), Selection.parse(only=only), transport=stack.transport())
    return {r.id: (r.status, r.message) for r in report.results}


def _failed(stack: FeatureStack, check: str, on: Target | None = None) -> str:
    status, message = _run(stack, [check], on)[check]
    assert status is Status.FAILED, message
    return message


def test_every_feature_check_passes_on_a_right_stack() -> None:
    stack = FeatureStack()
    results = _run(stack, FEATURE_CHECKS)
    assert {k: s for k, (s, _) in results.items()} == dict.fromkeys(FEATURE_CHECKS, Status.PASSED), results
    assert "published to amqp.topic with key jobqueuev4, persistent" in results["jobs.broker"][1]
    assert "is datasetOnArchiveDisk and retrievable" in results["jobs.archive"][1]
    assert results["ldap.login"][1].startswith("5 accounts log in through LDAP")
    assert results["oidc.login"][1].startswith("5 accounts log in through the OIDC code flow")


def test_the_checks_clean_up_what_they_made() -> None:
    stack = FeatureStack()
    _run(stack, ["jobs"])
    assert not stack.datasets and not stack.jobs, (stack.datasets, stack.jobs)
    assert set(stack.queues) == {"client.jobs.write.v4"}  # the probe queue is gone
    assert len(stack.deleted) == 3  # two jobs, one dataset


def test_feature_checks_skip_when_their_feature_is_off() -> None:
    results = _run(FeatureStack(), FEATURE_CHECKS, target(features=("ldap",)))
    assert results["ldap.login"][0] is Status.PASSED
    for check in ("jobs.broker", "jobs.archive", "oidc.login"):
        status, message = results[check]
        assert status is Status.SKIPPED and message.startswith(f"feature {check.split('.')[0]} is off (features on: ldap"), message


def test_missing_service_urls_and_accounts_are_skips_that_say_what_to_give() -> None:
    results = _run(FeatureStack(), ["jobs.broker", "ldap.login"], target(broker=None, accounts={}))
    assert results["jobs.broker"] == (Status.SKIPPED, "needs the credentials of user1, archiveManager (--credentials FILE)")
    assert results["ldap.login"][1].startswith("no account logs in through LDAP")
    results = _run(FeatureStack(), ["jobs.broker"], target(broker=None))
    assert results["jobs.broker"] == (Status.SKIPPED, "no RabbitMQ management API in the target (--rabbitmq-url)")


# -- jobs.broker -------------------------------------------------------------------------------


def test_broker_fails_when_the_backend_publishes_with_another_routing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs_checks, "MESSAGE_BOUND_SECONDS", 0.3)
    message = _failed(FeatureStack(publish_key="jobs"), "jobs.broker")
    assert "expected its message on amqp.topic with key jobqueuev4 within 0 s, found none" in message


def test_broker_fails_on_a_transient_message_or_a_lost_binding() -> None:
    assert "expected a persistent message (delivery_mode 2), found 1" in _failed(FeatureStack(persistent=False), "jobs.broker")
    unbound = FeatureStack(bindings=[])
    assert "expected a binding to client.jobs.write.v4 with key jobqueuev4, found []" in _failed(unbound, "jobs.broker")


def test_broker_fails_with_a_wrong_management_password() -> None:
    wrong = target(broker=target().broker.model_copy(update={"password": SecretStr("guess")}))  # type: ignore[union-attr]
    assert "read queue client.jobs.write.v4: expected 200, got 401 Unauthorized" in _failed(FeatureStack(), "jobs.broker", wrong)


# -- jobs.archive ------------------------------------------------------------------------------


def test_archive_fails_when_no_worker_finishes_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs_checks, "ARCHIVE_BOUND_SECONDS", 0.3)
    stack = FeatureStack(worker_polls=None)
    message = _failed(stack, "jobs.archive")
    assert "expected a finished status within 0 s, found 'jobSubmitted'" in message
    assert "client.jobs.write.v4 has 1 consumer(s)" in message
    assert not stack.datasets  # cleaned up even so


def test_archive_fails_on_an_unsuccessful_job_or_a_lifecycle_that_is_not_archived() -> None:
    failed = _failed(FeatureStack(worker_status="finishedUnsuccessful"), "jobs.archive")
    assert "expected statusCode 'finishedSuccessful', found 'finishedUnsuccessful'" in failed
    wrong = _failed(FeatureStack(lifecycle_message="scheduleArchiveJobFailed"), "jobs.archive")
    assert "found {'archiveStatusMessage': 'scheduleArchiveJobFailed'}" in wrong


# -- ldap.login --------------------------------------------------------------------------------


def test_ldap_fails_when_a_person_gets_someone_elses_group() -> None:
    message = _failed(FeatureStack(ldap_groups={"user1": ("group1", "group2")}), "ldap.login")
    assert message == ("whoami after the LDAP login of user1: expected groups ['group1'], "
                       "found ['group1', 'group2'] (not theirs: ['group2'])")  # fmt: skip


def test_ldap_fails_when_a_group_is_missing_or_a_wrong_password_works() -> None:
    assert "(missing ['group1'])" in _failed(FeatureStack(ldap_groups={"ldap-user": ()}), "ldap.login")
    message = _failed(FeatureStack(accept_any_password=True), "ldap.login")
    assert "LDAP login of admin with a wrong password: expected 401, got 201 Created" in message


def test_ldap_fails_for_a_person_the_directory_refuses() -> None:
    accounts = dict(target().accounts)
    accounts["user2"] = Account(password=SecretStr("not-it"), groups=("group2",), logins=("local", "ldap"))
    message = _failed(FeatureStack(), "ldap.login", target(accounts=accounts))
    assert message.startswith("LDAP login of user2: expected 201 with an access token, got 401 Unauthorized")
    assert "not-it" not in message


# -- oidc.login --------------------------------------------------------------------------------


def test_oidc_fails_when_the_backend_sends_the_browser_elsewhere() -> None:
    message = _failed(FeatureStack(authorize_at="http://other-idp.test"), "oidc.login")
    assert f"expected a redirect to the provider {PROVIDER}, found http://other-idp.test/authorize" in message


def test_oidc_fails_without_a_token_in_the_success_redirect() -> None:
    message = _failed(FeatureStack(callback_token=False), "oidc.login")
    assert "OIDC callback of admin: expected access-token in the success redirect, found ['returnUrl']" in message


def test_oidc_fails_when_the_token_groups_do_not_reach_scicat_or_any_password_works() -> None:
    assert "(missing ['group2'])" in _failed(FeatureStack(ldap_groups={"user2": ()}), "oidc.login")
    message = _failed(FeatureStack(accept_any_password=True), "oidc.login")
    assert "OIDC login of admin with a wrong password: expected the login form again, the backend issued a token" in message


def test_oidc_reports_a_refused_password() -> None:
    accounts: dict[str, Any] = dict(target().accounts)
    accounts["user1"] = Account(password=SecretStr("stale"), groups=("group1",), logins=("oidc",))
    message = _failed(FeatureStack(), "oidc.login", target(accounts=accounts))
    assert "OIDC login of user1: the provider refused the password (it shows its login form again)" in message


def test_accounts_login_leaves_ldap_only_people_out() -> None:
    report = run_checks(target(), Selection.parse(only=["accounts"]), transport=FeatureStack().transport())
    result = report.result("accounts.login")
    assert result.status is Status.PASSED, result.message
    assert result.message.startswith("4 accounts log in to SciCat") and "ldap-user" not in result.message
