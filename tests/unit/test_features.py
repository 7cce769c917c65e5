"""Profile features (jobs, ldap, oidc) on lite and full: what they run, how the backend is wired."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scicatlive.cli import app
from scicatlive.engine import compose_binary
from scicatlive.errors import ConfigError
from scicatlive.stack.load import load_stack
from scicatlive.stack.secrets import SecretStore
from tests.unit.helpers import write_profile, write_stack_files

FEATURE_PROFILES = ["lite-jobs", "lite-auth", "lite-all", "full-all"]


def _render(profile: str, **options: Any) -> tuple[dict[str, Any], Path]:
    paths = write_stack_files(profile, **options)
    return yaml.safe_load(paths.compose_file.read_text()), paths.root


def _env(compose: dict[str, Any], root: Path, service: str) -> dict[str, str]:
    """A service's whole environment: inline values plus its env file (the secrets)."""
    env = dict(compose["services"][service].get("environment", {}))
    env_file = root / "env" / f"{service}.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value.replace("$$", "$")
    return {k: v.replace("$$", "$") for k, v in env.items()}


def _single(tmp_path: Path, parent: str, *features: str) -> str:
    return str(write_profile(tmp_path, f"{parent}-{'-'.join(features)}", f"extends: {parent}\nfeatures: [{', '.join(features)}]\n"))


def _compose_accepts(root: Path) -> None:
    result = subprocess.run(
        [str(compose_binary()), "-f", str(root / "compose.yaml"), "config", "--quiet"], check=False,
        capture_output=True, text=True, env={**os.environ, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": ""},
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("profile", FEATURE_PROFILES)
def test_feature_profiles_render_valid_compose_without_secrets(profile: str) -> None:
    compose, root = _render(profile)
    _compose_accepts(root)
    text = (root / "compose.yaml").read_text()
    for name, value in SecretStore(root / "secrets.json").items():
        assert value not in text, f"secret {name} leaked into compose.yaml"
    ports = [p for s in compose["services"].values() for p in s.get("ports", [])]
    assert {p["host_ip"] for p in ports} == {"127.0.0.1"}


@pytest.mark.parametrize("parent", ["lite", "full"])
@pytest.mark.parametrize("feature", ["jobs", "ldap", "oidc"])
def test_each_feature_alone_renders_on_lite_and_full(tmp_path: Path, parent: str, feature: str) -> None:
    compose, root = _render(_single(tmp_path, parent, feature))
    _compose_accepts(root)
    expected = {
        ("lite", "jobs"): {"rabbitmq", "archive-worker"}, ("full", "jobs"): {"rabbitmq", "archive-worker"},
        ("lite", "ldap"): {"ldap"}, ("full", "ldap"): {"ldap"},
        ("lite", "oidc"): {"oidc", "ldap"}, ("full", "oidc"): {"keycloak"},
    }[(parent, feature)]
    feature_services = {"rabbitmq", "archive-worker", "ldap", "oidc", "keycloak"}
    assert set(compose["services"]) & feature_services == expected


def test_lite_all_is_built_here_and_wires_scicat_lite_with_upstream_names() -> None:
    compose, root = _render("lite-all")
    stack = load_stack("lite-all")
    assert all(s.is_local for s in stack.services.values())
    env = _env(compose, root, "scicat-lite")
    secrets = dict(SecretStore(root / "secrets.json").items())
    assert env["RABBITMQ_ENABLED"] == "yes"
    assert (env["RABBITMQ_HOSTNAME"], env["RABBITMQ_PORT"], env["RABBITMQ_USERNAME"]) == ("rabbitmq", "5672", "scicat")
    assert env["RABBITMQ_PASSWORD"] == secrets["rabbitmq_password"]
    assert env["JOB_CONFIGURATION_FILE"] == "/config/jobConfig.yaml"
    assert env["UPDATE_DATASET_LIFECYCLE_GROUPS"] == "archivemanager"
    assert env["LDAP_URL"] == "ldap://ldap:3893"
    assert env["LDAP_BIND_DN"] == "cn=scicatlive-svc,ou=svc-acc,dc=facility"
    assert env["LDAP_BIND_CREDENTIALS"] == secrets["ldap_bind_password"]
    assert env["LDAP_GROUP_SEARCH_FILTER"] == "(uniqueMember={{dn}})"
    assert env["ACCESS_GROUPS_LDAPPAYLOAD_ENABLED"] == "true" and env["LDAP_ACCESS_GROUPS_PROPERTY"] == "cn"
    assert env["OIDC_ISSUER"] == "http://oidc:8080"
    assert env["OIDC_CLIENT_SECRET"] == secrets["oidc_client_secret"]
    assert env["OIDC_CALLBACK_URL"] == "http://127.0.0.1:3000/api/v3/auth/oidc/callback"
    assert env["OIDC_SUCCESS_URL"] == "http://127.0.0.1:8080/login"
    assert env["ACCESS_GROUPS_OIDCPAYLOAD_ENABLED"] == "true" and env["OIDC_ACCESS_GROUPS_PROPERTY"] == "accessGroups"
    # Secrets travel in env files only.
    assert "RABBITMQ_PASSWORD" not in compose["services"]["scicat-lite"]["environment"]
    # The worker waits for the broker's probe; scicat-lite is asked from the host, so the worker
    # (which reports its own health) starts beside it.
    worker_waits = compose["services"]["archive-worker"]["depends_on"]
    assert worker_waits == {"rabbitmq": {"condition": "service_healthy"}, "scicat-lite": {"condition": "service_started"}}
    assert compose["services"]["oidc"]["depends_on"]["ldap"]["condition"] == "service_healthy"


def test_full_all_names_sciCatLive_images_and_wiring() -> None:
    compose, root = _render("full-all")
    images = {name: s["image"] for name, s in compose["services"].items()}
    assert images["rabbitmq"] == "rabbitmq:4.3-management-alpine"
    assert images["ldap"] == "glauth/glauth:v2.5.2"
    assert images["keycloak"] == "quay.io/keycloak/keycloak:26.7"
    assert compose["services"]["keycloak"]["command"] == ["start-dev", "--import-realm", "--health-enabled=true"]
    assert compose["services"]["rabbitmq"]["healthcheck"]["test"] == ["CMD-SHELL", "rabbitmq-diagnostics -q ping"]
    env = _env(compose, root, "backend")
    assert env["LDAP_GROUP_SEARCH_FILTER"] == "(uniqueMember=cn={{username}},*ou=users,dc=facility)"
    assert env["LDAP_URL"] == "ldap://ldap:3893"
    assert env["OIDC_ISSUER"] == "http://keycloak:8080/realms/facility"
    assert env["JOB_CONFIGURATION_FILE"] == "/config/jobConfig.yaml"
    keycloak = _env(compose, root, "keycloak")
    assert keycloak["KC_HOSTNAME"] == "http://127.0.0.1:18080"
    assert keycloak["KC_HOSTNAME_BACKCHANNEL_DYNAMIC"] == "true"
    mounts = {v["target"] for v in compose["services"]["backend"]["volumes"] if v["type"] == "bind"}
    assert "/config/jobConfig.yaml" in mounts
    assert "/opt/keycloak/data/import/facility-realm.json" in {
        v["target"] for v in compose["services"]["keycloak"]["volumes"]
    }


def test_oidc_alone_on_lite_runs_ldap_without_ldap_logins(tmp_path: Path) -> None:
    compose, root = _render(_single(tmp_path, "lite", "oidc"))
    env = _env(compose, root, "scicat-lite")
    assert "OIDC_ISSUER" in env
    assert not any(k.startswith("LDAP_") for k in env)
    assert "RABBITMQ_ENABLED" not in env and "JOB_CONFIGURATION_FILE" not in env


def test_no_features_means_no_feature_wiring() -> None:
    compose, root = _render("lite")
    env = _env(compose, root, "scicat-lite")
    assert not any(k.startswith(("RABBITMQ_", "LDAP_", "OIDC_")) for k in env)
    config = json.loads((root / "files" / "frontend-lite" / "config.json").read_text())
    assert config["jobsEnabled"] is False and config["oAuth2Endpoints"] == []


def test_profile_environment_wins_over_feature_wiring(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "w", """
        extends: lite-jobs
        services:
          scicat-lite: {environment: {UPDATE_DATASET_LIFECYCLE_GROUPS: "archivemanager,admin"}}
    """)
    compose, root = _render(str(profile))
    assert _env(compose, root, "scicat-lite")["UPDATE_DATASET_LIFECYCLE_GROUPS"] == "archivemanager,admin"


def test_a_child_profile_can_switch_features_off(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "off", "extends: lite-all\nfeatures: [ldap]\n")
    stack = load_stack(str(profile))
    assert stack.profile.features == ("ldap",)
    assert "rabbitmq" not in stack.services and "oidc" not in stack.services


def test_frontend_config_carries_sciCatLive_overlays() -> None:
    _, root = _render("lite-all")
    config = json.loads((root / "files" / "frontend-lite" / "config.json").read_text())
    assert config["jobsEnabled"] is True and config["archiveWorkflowEnabled"] is True
    assert config["mainMenu"] == {"authenticatedUser": {"jobs": True}}
    assert config["loginLdapEnabled"] is True and config["externalAuthEndpoint"] == "/api/v3/auth/ldap"
    assert config["oAuth2Endpoints"] == [{"authURL": "api/v3/auth/oidc", "displayText": "OIDC"}]


def test_ldap_only_people_are_in_the_directory_not_functional_accounts() -> None:
    _, root = _render("lite-all")
    accounts = json.loads((root / "files" / "scicat-lite" / "functionalAccounts.json").read_text())
    assert "ldap-user" not in {a["username"] for a in accounts}
    ispyb = json.loads((root / "files" / "ispyb-mock" / "ispyb-users.json").read_text())
    assert "ldap-user" not in {u["login"] for u in ispyb}
    ldif = (root / "files" / "ldap" / "directory.ldif").read_text()
    assert "dn: cn=ldap-user,ou=group1,ou=users,dc=facility\n" in ldif
    group1 = ldif.split("dn: ou=group1,ou=groups,dc=facility\n")[1].split("\n\n")[0]
    assert "uniqueMember: cn=ldap-user,ou=group1,ou=users,dc=facility" in group1
    assert "uniqueMember: cn=user1,ou=group1,ou=users,dc=facility" in group1


def test_directory_passwords_are_salted_hashes_of_the_stack_passwords() -> None:
    _, root = _render("lite-auth")
    secrets = dict(SecretStore(root / "secrets.json").items())
    ldif = (root / "files" / "ldap" / "directory.ldif").read_text()
    entry = ldif.split("dn: cn=user1,ou=group1,ou=users,dc=facility\n")[1].split("\n\n")[0]
    hashed = next(line for line in entry.splitlines() if line.startswith("userPassword: "))
    raw = base64.b64decode(hashed.removeprefix("userPassword: {SSHA}"))
    digest, salt = raw[:20], raw[20:]
    assert hashlib.sha1(secrets["account.user1"].encode() + salt).digest() == digest
    assert secrets["account.user1"] not in ldif


def test_glauth_config_is_toml_with_the_profiles_people() -> None:
    _, root = _render("full-all")
    secrets = dict(SecretStore(root / "secrets.json").items())
    config = tomllib.loads((root / "files" / "ldap" / "config.cfg").read_text())
    assert config["backend"]["baseDN"] == "dc=facility"
    users = {u["name"]: u for u in config["users"]}
    groups = {g["gidnumber"]: g["name"] for g in config["groups"]}
    assert groups[users["ldap-user"]["primarygroup"]] == "group1"
    assert users["ldap-user"]["passsha256"] == hashlib.sha256(secrets["account.ldap-user"].encode()).hexdigest()
    assert groups[users["scicatlive-svc"]["primarygroup"]] == "svc-acc"
    assert users["scicatlive-svc"]["capabilities"] == [{"action": "search", "object": "*"}]


def test_keycloak_realm_has_people_groups_and_the_scicat_client() -> None:
    _, root = _render("full-all")
    secrets = dict(SecretStore(root / "secrets.json").items())
    realm = json.loads((root / "files" / "keycloak" / "facility-realm.json").read_text())
    assert realm["realm"] == "facility"
    user1 = next(u for u in realm["users"] if u["username"] == "user1")
    assert user1["groups"] == ["/group1"] and user1["credentials"][0]["value"] == secrets["account.user1"]
    client = realm["clients"][0]
    assert client["clientId"] == "scicat" and client["secret"] == secrets["oidc_client_secret"]
    assert client["redirectUris"] == ["http://127.0.0.1:3000/api/v3/auth/oidc/callback"]
    mapper = client["protocolMappers"][0]
    assert mapper["protocolMapper"] == "oidc-group-membership-mapper"
    assert mapper["config"]["claim.name"] == "accessGroups" and mapper["config"]["full.path"] == "false"


def test_lemonldap_config_points_at_ldap_and_the_backend_callback() -> None:
    _, root = _render("lite-auth", port_offset=100)
    config = json.loads((root / "files" / "oidc" / "lemonldap-ng.json").read_text())
    assert config["portal"] == "http://127.0.0.1:18180/"
    assert config["oidcServiceMetaDataIssuer"] == "http://127.0.0.1:18180"
    assert config["ldapServer"] == "ldap://ldap:3893"
    client = config["oidcRPMetaDataOptions"]["scicat"]
    assert client["oidcRPMetaDataOptionsRedirectUris"] == "http://127.0.0.1:3100/api/v3/auth/oidc/callback"
    assert config["oidcRPMetaDataExportedVars"]["scicat"]["accessGroups"] == "groups;string;always"


def test_job_config_publishes_only_with_a_broker() -> None:
    _, with_jobs = _render("lite-jobs")
    config = yaml.safe_load((with_jobs / "files" / "scicat-lite" / "jobConfig.yaml").read_text())
    assert [j["jobType"] for j in config["jobs"]] == ["archive", "retrieve", "public", "reset"]
    archive = config["jobs"][0]
    assert archive["create"]["auth"] == "#datasetOwner" and archive["update"]["auth"] == "archiveManager"
    assert {"actionType": "rabbitmq", "exchange": "amqp.topic", "queue": "client.jobs.write.v4",
            "key": "jobqueuev4"} in archive["create"]["actions"]
    _, without = _render("lite", stack="plain")
    plain = yaml.safe_load((without / "files" / "scicat-lite" / "jobConfig.yaml").read_text())
    assert plain["jobs"][0]["create"]["actions"] == [{"actionType": "log"}]


def test_rabbitmq_definitions_hash_each_clients_password() -> None:
    _, root = _render("lite-jobs")
    secrets = dict(SecretStore(root / "secrets.json").items())
    definitions = json.loads((root / "files" / "rabbitmq" / "definitions.json").read_text())
    users = {u["name"]: u for u in definitions["users"]}
    for user, secret in (("scicat", "rabbitmq_password"), ("archive-worker", "rabbitmq_worker_password"),
                         ("admin", "rabbitmq_admin_password")):
        raw = base64.b64decode(users[user]["password_hash"])
        assert hashlib.sha256(raw[:4] + secrets[secret].encode()).digest() == raw[4:]
    assert users["admin"]["tags"] == ["administrator"]
    assert definitions["bindings"][0]["routing_key"] == "jobqueuev4"
    worker = _env(*_render("lite-jobs"), "archive-worker")
    assert worker["AMQP_URL"] == f"amqp://archive-worker:{secrets['rabbitmq_worker_password']}@rabbitmq:5672/%2F"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("extends: lite\nfeatures: [archive]\n",
         r"p.yaml: features\[0\]: unknown feature 'archive'; known features: jobs, ldap, oidc"),
        ("extends: lite\nfeatures: [jobs, jobs]\n", r"p.yaml: features: a feature appears twice"),
        ("extends: minimal\nfeatures: [jobs]\n",
         r"p.yaml: features: the profile provides no service for feature 'jobs'"),
        ("extends: lite\nfeature_services: {ldap: {oidc: {}}}\nfeatures: [ldap]\n",
         r"p.yaml: feature_services.ldap.oidc: oidc serves feature 'oidc', not 'ldap'"),
        ("extends: lite\nfeature_services: {ldap: {slapd: {}}}\nfeatures: [ldap]\n",
         r"p.yaml: feature_services.ldap.slapd: unknown service 'slapd'"),
        ("extends: lite\nfeature_services: {ldap: {postgres: {}}}\nfeatures: [ldap]\n",
         r"postgres serves no feature, not 'ldap'"),
        ("extends: lite\nfeature_services: {jobs: {rabbit: {}}}\n",
         r"p.yaml: feature_services.jobs.rabbit: unknown service 'rabbit'"),
        ("extends: lite\nfeature_services: {kerberos: {}}\n",
         r"p.yaml: feature_services.kerberos: unknown feature 'kerberos'"),
        ("extends: lite\nservices: {ldap: {enabled: false}}\nfeatures: [ldap]\n",
         r"p.yaml: services.ldap.enabled: ldap is switched off here, but feature 'ldap' runs it"),
        ("extends: lite\nfeature_services: {ldap: {ldap: {variant: glauth}}}\nfeatures: [ldap]\n",
         r"p.yaml: feature_services.ldap.ldap.variant: unknown variant 'glauth'; ldap has: local, upstream"),
        ("extends: lite\naccounts: [{username: alice, email: a@example.org, ldap_only: yes please}]\n",
         r"p.yaml: accounts\[0\].ldap_only"),
    ],
)
def test_bad_features_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    profile = write_profile(tmp_path, "p", text)
    with pytest.raises(ConfigError, match=expected):
        load_stack(str(profile))


def test_features_need_a_backend(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "p", """
        services: {postgres: {}}
        feature_services: {ldap: {ldap: {}}}
        features: [ldap]
    """)
    with pytest.raises(ConfigError, match="p.yaml: features: features are wired into the SciCat backend"):
        load_stack(str(profile))


def test_jobs_need_the_worker_account(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "p", """
        extends: lite-jobs
        services:
          archive-worker: {environment: {SCICAT_PASSWORD: "${secrets.account.robot}"}}
    """)
    with pytest.raises(ConfigError, match="archive-worker logs in as 'robot'"):
        load_stack(str(profile))


def test_offline_refuses_registry_only_feature_services(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "p", "extends: lite\nfeature_services: {oidc: {keycloak: {}}}\nfeatures: [oidc]\n")
    with pytest.raises(ConfigError, match="keycloak has no local build, so it cannot run offline"):
        load_stack(str(profile), offline=True)
    assert load_stack("lite-all", offline=True).services["oidc"].is_local


def test_profiles_show_lists_features() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["profiles", "show", "lite-all", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["features"] == ["jobs", "ldap", "oidc", "search"]
    text = runner.invoke(app, ["profiles", "show", "lite-jobs"])
    assert "features: jobs" in text.output


def test_config_with_an_unknown_feature_is_one_line_and_exit_2(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "p", "extends: lite\nfeatures: [ldap, kerberos]\n")
    result = CliRunner().invoke(app, ["config", "--profile", str(profile)])
    assert result.exit_code == 2
    assert "features[1]: unknown feature 'kerberos'" in result.output
    assert "Traceback" not in result.output
