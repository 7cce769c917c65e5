"""What a target knows about features: a stack's own (target_of), or options and environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scicatlive.cli.app import app
from scicatlive.clients.target import (
    FeatureOptions,
    load_credentials_file,
    split_features,
    target_from_options,
)
from scicatlive.errors import ConfigError
from scicatlive.stack.load import AccountCredentials, Credentials, load_stack
from scicatlive.stack.target import target_of


def _credentials(stack_name: str, profile: str) -> Credentials:
    stack = load_stack(profile)
    accounts = tuple(
        AccountCredentials(a.username, f"pw-{a.username}", a.email, tuple(a.groups), a.global_, a.ldap_only)
        for a in stack.accounts
    )
    return Credentials(stack_name, accounts, {"rabbitmq_admin_password": "pw-rabbit"}, {})


def test_a_lite_all_stack_knows_its_features_their_urls_and_how_each_account_logs_in() -> None:
    stack = load_stack("lite-all", port_offset=100)
    target = target_of(stack, _credentials(stack.name, "lite-all"))
    assert target.features == ("jobs", "ldap", "oidc", "search")
    assert target.broker is not None and target.broker.url == "http://127.0.0.1:15772"
    assert target.broker.username == "admin" and target.broker.password.get_secret_value() == "pw-rabbit"  # type: ignore[union-attr]
    assert target.oidc_issuer == "http://127.0.0.1:18180"
    assert target.searchapi_url == "http://127.0.0.1:3101"
    assert target.oai_url == "http://127.0.0.1:3102/scicat/oai"
    assert target.landing_url == "http://127.0.0.1:8181"
    assert target.accounts["ldap-user"].logins == ("ldap", "oidc")
    assert target.accounts["user1"].logins == ("local", "ldap", "oidc")  # scicat-lite: functional accounts too
    assert "pw-rabbit" not in json.dumps(target.describe())


def test_on_the_upstream_backend_only_the_directorys_own_people_log_in_through_ldap_and_oidc() -> None:
    stack = load_stack("full-all")
    target = target_of(stack, _credentials(stack.name, "full-all"))
    assert target.oidc_issuer == "http://127.0.0.1:18080/realms/facility"
    assert target.accounts["ldap-user"].logins == ("ldap", "oidc")
    assert target.accounts["user1"].logins == ("local",)


def test_a_stack_without_features_has_none() -> None:
    stack = load_stack("lite")
    target = target_of(stack, _credentials(stack.name, "lite"))
    assert target.features == () and target.broker is None and target.oidc_issuer is None
    assert all(a.logins == ("local",) for a in target.accounts.values())


def test_service_urls_switch_their_feature_on_and_options_win_over_the_environment() -> None:
    env = {"SCICATLIVE_FEATURES": "ldap", "SCICATLIVE_RABBITMQ_URL": "http://env-rabbit:15672/",
           "SCICATLIVE_RABBITMQ_PASSWORD": "pw-env", "SCICATLIVE_OAI_URL": "http://oai:3000/scicat/oai"}  # fmt: skip
    target = target_from_options(backend_url="http://b", environ=env)
    assert target.features == ("ldap", "jobs", "search")
    assert target.broker is not None and target.broker.url == "http://env-rabbit:15672"
    assert target.broker.password.get_secret_value() == "pw-env"  # type: ignore[union-attr]
    assert target.oai_url == "http://oai:3000/scicat/oai" and target.searchapi_url is None
    given = FeatureOptions(features=("oidc",), rabbitmq_url="http://given:15672", oidc_issuer="http://idp/realms/x")
    target = target_from_options(backend_url="http://b", features=given, environ=env)
    assert target.features == ("oidc", "jobs", "search")  # --feature replaces SCICATLIVE_FEATURES
    assert target.broker.url == "http://given:15672" and target.oidc_issuer == "http://idp/realms/x"  # type: ignore[union-attr]
    assert split_features(["jobs", "ldap, oidc", "jobs"]) == ("jobs", "ldap", "oidc")


def test_bad_feature_options_name_the_option() -> None:
    with pytest.raises(ConfigError, match=r"--feature: unknown feature 'jbos'; known features: jobs, ldap"):
        target_from_options(backend_url="http://b", features=FeatureOptions(features=("jbos",)), environ={})
    with pytest.raises(ConfigError, match=r"--rabbitmq-url: 'rabbit:15672' is not an http\(s\) URL"):
        target_from_options(backend_url="http://b", features=FeatureOptions(rabbitmq_url="rabbit:15672"), environ={})
    with pytest.raises(ConfigError, match=r"--oai-url: 'oai.example.org' is not an http\(s\) URL"):
        target_from_options(backend_url="http://b", features=FeatureOptions(oai_url="oai.example.org"), environ={})


def test_a_credentials_file_says_how_people_log_in(tmp_path: Path) -> None:
    file = tmp_path / "accounts.yaml"
    file.write_text(
        "accounts:\n"
        "  - {username: user1, password: pw-1, groups: [group1], logins: [local, ldap]}\n"
        "  - {username: ldap-user, password: pw-2, groups: [group1], ldap_only: true}\n"
        "  - {username: admin, password: pw-3}\n"
    )
    accounts = load_credentials_file(file)
    assert accounts["user1"].logins == ("local", "ldap")
    assert accounts["ldap-user"].logins == ("ldap", "oidc")
    assert accounts["admin"].logins == ("local",)
    file.write_text("accounts:\n  - {username: x, password: y, logins: [kerberos]}\n")
    with pytest.raises(ConfigError, match=r"accounts\[0\]\.logins\.0: Input should be 'local', 'ldap' or 'oidc'"):
        load_credentials_file(file)


def test_the_cli_reports_a_bad_feature_as_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["check", "--backend-url", "http://127.0.0.1:9", "--feature", "serch"])
    assert result.exit_code == 2
    assert "--feature: unknown feature 'serch'" in result.output
