"""Rendering: the compose file binds to loopback, holds no secret, and compose accepts it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from scicatlive.engine import compose_binary
from scicatlive.stack.load import load_stack
from scicatlive.stack.secrets import SecretStore
from tests.unit.helpers import write_profile, write_stack_files

PROFILES = ["lite", "minimal", "full"]


def _render(profile: str, **options: object) -> tuple[dict, Path]:
    paths = write_stack_files(profile, **options)
    return yaml.safe_load(paths.compose_file.read_text()), paths.root


@pytest.mark.parametrize("profile", PROFILES)
def test_every_port_binds_to_loopback_by_default(profile: str) -> None:
    compose, _ = _render(profile)
    ports = [p for s in compose["services"].values() for p in s.get("ports", [])]
    assert ports
    assert all(p["host_ip"] == "127.0.0.1" for p in ports)


@pytest.mark.parametrize("profile", PROFILES)
def test_no_secret_appears_in_the_compose_file(profile: str) -> None:
    paths = write_stack_files(profile)
    text = paths.compose_file.read_text()
    secrets = SecretStore(paths.secrets).items()
    assert secrets, "the stack should have generated secrets"
    for name, value in secrets:
        assert value not in text, f"secret {name} leaked into compose.yaml"


@pytest.mark.parametrize("profile", PROFILES)
def test_compose_accepts_the_rendered_file(profile: str) -> None:
    _, root = _render(profile)
    result = subprocess.run(
        [str(compose_binary()), "-f", str(root / "compose.yaml"), "config", "--quiet"], check=False,
        capture_output=True, text=True, env={**os.environ, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": ""},
    )
    assert result.returncode == 0, result.stderr


def test_secrets_are_private_and_reused() -> None:
    paths = write_stack_files("lite")
    before = SecretStore(paths.secrets).items()
    assert stat.S_IMODE(paths.secrets.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.root.stat().st_mode) == 0o700
    for env_file in (paths.root / "env").iterdir():
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    write_stack_files("lite")
    assert SecretStore(paths.secrets).items() == before


def test_secret_bearing_env_goes_to_the_env_file() -> None:
    compose, root = _render("lite")
    postgres = compose["services"]["postgres"]
    assert "POSTGRES_PASSWORD" not in postgres.get("environment", {})
    assert postgres["env_file"] == [str(root / "env" / "postgres.env")]
    env = (root / "env" / "postgres.env").read_text()
    password = dict(SecretStore(root / "secrets.json").items())["postgres_password"]
    assert f"POSTGRES_PASSWORD={password}" in env


def test_stacks_get_their_own_project_and_state() -> None:
    a, root_a = _render("lite", name="one")
    b, root_b = _render("lite", name="two", port_offset=1000)
    assert a["name"] == "scicatlive-one" and b["name"] == "scicatlive-two"
    assert root_a != root_b
    ports_a = {p["published"] for s in a["services"].values() for p in s.get("ports", [])}
    ports_b = {p["published"] for s in b["services"].values() for p in s.get("ports", [])}
    assert not ports_a & ports_b
    assert dict(SecretStore(root_a / "secrets.json").items()) != dict(SecretStore(root_b / "secrets.json").items())


def test_functional_accounts_file_has_the_backend_format() -> None:
    compose, _root = _render("minimal")
    mount = next(v for v in compose["services"]["backend"]["volumes"] if v["type"] == "bind")
    assert mount["target"] == "/home/node/app/functionalAccounts.json"
    assert mount["read_only"] is True
    accounts = json.loads(Path(mount["source"]).read_text())
    admin = next(a for a in accounts if a["username"] == "admin")
    assert admin["role"] == "admin" and admin["global"] is True and len(admin["password"]) >= 24
    assert set(admin) == {"username", "email", "password", "role", "global"}


def test_given_password_is_kept_and_others_generated(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "p", """
        extends: minimal
        accounts:
          - {username: alice, email: alice@example.org, groups: [g1, g2], password: "correct horse"}
    """)
    _, root = _render(str(profile))
    accounts = json.loads((root / "files" / "backend" / "functionalAccounts.json").read_text())
    alice = next(a for a in accounts if a["username"] == "alice")
    assert alice["password"] == "correct horse" and alice["role"] == ["g1", "g2"]


def test_frontend_config_points_at_the_backend_url() -> None:
    _compose, root = _render("full", port_offset=7)
    config = json.loads((root / "files" / "frontend" / "config.override.json").read_text())
    assert config["lbBaseURL"] == "http://127.0.0.1:3007"


def test_opensearch_env_reaches_the_backend_only_when_present() -> None:
    full, _ = _render("full")
    minimal, _ = _render("minimal", name="m")
    assert full["services"]["backend"]["environment"]["OPENSEARCH_ENABLED"] == "yes"
    assert "opensearch" in full["services"]["backend"]["depends_on"]
    assert "OPENSEARCH_ENABLED" not in minimal["services"]["backend"]["environment"]


def test_bind_address_is_configurable(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "open", "extends: lite\nstack: {bind_address: 0.0.0.0}\n")
    compose, _ = _render(str(profile))
    assert {p["host_ip"] for s in compose["services"].values() for p in s.get("ports", [])} == {"0.0.0.0"}


def test_dollar_in_user_env_is_escaped_for_compose(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "d", "extends: lite\nservices:\n  postgres: {environment: {GREETING: 'cost $5'}}\n")
    compose, _ = _render(str(profile))
    assert compose["services"]["postgres"]["environment"]["GREETING"] == "cost $$5"


def test_local_images_are_tagged_by_their_build_inputs(tmp_path: Path) -> None:
    stack = load_stack("lite")
    tag = stack.services["postgres"].image
    assert tag.startswith("scicatlive/postgres:") and len(tag.split(":")[1]) == 12
    assert load_stack("lite").services["postgres"].image == tag


def test_offline_forces_local_builds_and_refuses_registry_only_services() -> None:
    from scicatlive.errors import ConfigError

    full = load_stack("lite", offline=True)
    assert all(s.is_local for s in full.services.values())
    with pytest.raises(ConfigError, match="mongo has no local build, so it cannot run offline"):
        load_stack("minimal", offline=True)


def test_role_placeholders_resolve_to_the_stacks_service(tmp_path: Path) -> None:
    from scicatlive.stack.state import prepare_stack

    profile = write_profile(tmp_path, "r", "extends: lite\nservices:\n  ispyb-mock: {environment: {SCICAT: '${backend.url}', PUB: '${backend.public_url}'}}\n")
    prepared = prepare_stack(load_stack(str(profile)))
    env = prepared.services["ispyb-mock"].environment
    assert env["SCICAT"] == "http://scicat-lite:3000"
    assert env["PUB"] == "http://127.0.0.1:3000"


def test_unknown_placeholder_names_where(tmp_path: Path) -> None:
    from scicatlive.errors import ConfigError

    profile = write_profile(tmp_path, "u", "extends: lite\nservices:\n  postgres: {environment: {X: '${search.url}'}}\n")
    with pytest.raises(ConfigError, match=r"u.yaml: services.postgres.environment.X: unknown placeholder \$\{search.url\}"):
        write_stack_files(str(profile))


def test_databases_are_probed_through_the_applications_that_wait_for_them() -> None:
    compose, _ = _render("lite")
    services = compose["services"]
    assert "healthcheck" not in services["postgres"]
    assert "healthcheck" not in services["mariadb"]
    assert services["scicat-lite"]["depends_on"] == {"postgres": {"condition": "service_started"}}
    assert services["ispyb-mock"]["depends_on"] == {"mariadb": {"condition": "service_started"}}
    assert "healthcheck" in services["scicat-lite"] and "healthcheck" in services["ispyb-mock"]


def test_databases_without_an_application_keep_their_probes(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "dbs", """
        extends: _common
        stack: {name: render-dbs}
        services:
          postgres: {}
          mariadb: {}
    """)
    compose, _ = _render(str(profile))
    assert compose["services"]["postgres"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert compose["services"]["mariadb"]["healthcheck"]["test"][0] == "CMD-SHELL"
