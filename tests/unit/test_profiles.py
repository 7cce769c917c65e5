"""Profiles: bundled ones load, bad ones fail with `file: key.path: reason`."""

from __future__ import annotations

from pathlib import Path

import pytest

from scicatlive.catalogue import default_catalogue
from scicatlive.errors import ConfigError
from scicatlive.profiles import bundled_profiles, load_profile
from tests.unit.helpers import write_profile

GOOD_BASE = """
services:
  postgres: {}
accounts:
  - {username: alice, email: alice@example.org, groups: [group1]}
"""


@pytest.mark.parametrize("name", ["lite", "minimal", "full"])
def test_bundled_profiles_load(name: str) -> None:
    profile = load_profile(name, default_catalogue())
    assert profile.services
    assert {a.username for a in profile.accounts} >= {"admin", "ingestor"}


def test_lite_is_built_locally_and_is_the_default() -> None:
    profile = load_profile(None, default_catalogue())
    assert profile.name == "lite"
    assert set(profile.services) >= {"postgres", "mariadb", "scicat-lite", "ispyb-mock"}


def test_hidden_profiles_are_not_listed_as_known(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_profile("nope", default_catalogue())
    assert "_common" not in str(caught.value)
    assert "lite" in str(caught.value)
    assert "_common" in bundled_profiles()  # still usable with extends


BAD_PROFILES = [
    ("services:\n  postgres: {port: 70000}\n", "services.postgres.port: must be 1-65535"),
    ("services:\n  postgres: {port: 0}\n", "services.postgres.port: must be 1-65535"),
    ("services:\n  postgres: {colour: blue}\n", "services.postgres.colour: unknown key"),
    ("servces:\n  postgres: {}\n", "servces: unknown key"),
    ("services:\n  nosuch: {}\n", "services.nosuch: unknown service 'nosuch'"),
    ("services:\n  Postgres: {}\n", "services.Postgres: 'Postgres' does not match"),
    ("services:\n  postgres: {variant: shiny}\n", "services.postgres.variant: unknown variant 'shiny'"),
    ("services:\n  postgres: {environment: {'1BAD': x}}\n", "services.postgres.environment: '1BAD' is not a valid"),
    ("services:\n  postgres: {port: '80x'}\n", "services.postgres.port: input should be a valid integer"),
    ("services:\n  backend: {}\n", "backend needs 'mongo', which the profile does not enable"),
    ("services: {}\n", "services: the profile enables no service"),
    ("services:\n  postgres: {}\nstack: {bind_address: localhost}\n", "stack.bind_address: 'localhost' is not an IP address"),
    ("services:\n  postgres: {}\nstack: {name: 'Bad Name'}\n", "stack.name: 'Bad Name' does not match"),
    ("services:\n  postgres: {}\nstack: {port_offset: -1}\n", "stack.port_offset: input should be greater than or equal to 0"),
    ("services:\n  postgres: {}\naccounts:\n  - {username: a, email: nope}\n", "accounts[0].email: 'nope' does not match"),
    ("services:\n  postgres: {}\naccounts:\n  - {username: a, email: a@b.org, password: ''}\n", "accounts[0].password: string should have at least 1 character"),
    ("services:\n  postgres: {}\nseed: nope\n", "seed: no recipe named 'nope'; known recipes: demo, large, tiny, training"),
    ("services:\n  postgres: {}\nseed: ./missing.yaml\n", "seed: recipe file"),
    ("services:\n  postgres: {}\nseed: true\n", "seed: name a recipe"),
    ("services:\n  postgres: {}\naccounts:\n  - {username: a, email: a@b.org}\n  - {username: a, email: c@b.org}\n", "accounts: username 'a' appears twice"),
    ("services:\n  postgres: {}\naccounts:\n  - {email: a@b.org}\n", "accounts[0].username: required key is missing"),
    ("- just\n- a list\n", "must be a mapping of keys to values, not a list"),
    ("services:\n  postgres: {port: 1\n", "invalid YAML"),
    ("services:\n  postgres: {version: '16'}\n", "services.postgres.version: a local build has no version to choose"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_PROFILES)
def test_bad_profile_names_file_key_and_reason(tmp_path: Path, text: str, expected: str) -> None:
    path = write_profile(tmp_path, "bad", text)
    with pytest.raises(ConfigError) as caught:
        from scicatlive.stack.load import load_stack

        load_stack(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert expected in message, message


def test_error_count_is_reported(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "bad", "services:\n  postgres: {port: 0, colour: x}\n")
    with pytest.raises(ConfigError, match=r"\(and 1 more problem\)"):
        load_profile(str(path), default_catalogue())


def test_extends_merges_services_environment_and_accounts(tmp_path: Path) -> None:
    write_profile(tmp_path, "parent", """
        stack: {site: PARENT, port_offset: 5}
        services:
          postgres: {environment: {A: "1", B: "1"}}
          mariadb: {}
        accounts:
          - {username: alice, email: alice@example.org, groups: [g1]}
    """)
    child = write_profile(tmp_path, "child", """
        extends: parent.yaml
        stack: {site: CHILD}
        services:
          postgres: {environment: {B: "2"}, port: 25432}
          mariadb: {enabled: false}
        accounts:
          - {username: alice, email: alice@example.org, groups: [g2]}
          - {username: bob, email: bob@example.org}
    """)
    profile = load_profile(str(child), default_catalogue())
    assert profile.stack.site == "CHILD"
    assert profile.stack.port_offset == 5
    assert set(profile.services) == {"postgres"}
    assert profile.services["postgres"].environment == {"A": "1", "B": "2"}
    assert profile.services["postgres"].port == 25432
    assert [(a.username, a.groups) for a in profile.accounts] == [("alice", ["g2"]), ("bob", [])]


def test_extends_cycle_is_detected(tmp_path: Path) -> None:
    write_profile(tmp_path, "a", "extends: b.yaml\nservices:\n  postgres: {}\n")
    b = write_profile(tmp_path, "b", "extends: a.yaml\n")
    with pytest.raises(ConfigError, match=r"extends: extends cycle: .*b.yaml -> .*a.yaml -> .*b.yaml"):
        load_profile(str(b), default_catalogue())


def test_extends_missing_parent(tmp_path: Path) -> None:
    child = write_profile(tmp_path, "child", "extends: ghost.yaml\n")
    with pytest.raises(ConfigError, match=r"child.yaml: extends: profile file .*ghost.yaml does not exist"):
        load_profile(str(child), default_catalogue())


def test_extends_a_bundled_profile_by_name(tmp_path: Path) -> None:
    child = write_profile(tmp_path, "mine", "extends: lite\nstack: {port_offset: 100}\n")
    profile = load_profile(str(child), default_catalogue())
    assert profile.name == "mine"
    assert "scicat-lite" in profile.services
    assert profile.stack.port_offset == 100


def test_user_profiles_in_config_dir_are_found(isolated_dirs: Path) -> None:
    folder = isolated_dirs / "config" / "profiles"
    folder.mkdir(parents=True)
    write_profile(folder, "mydb", GOOD_BASE)
    assert load_profile("mydb", default_catalogue()).services.keys() == {"postgres"}
