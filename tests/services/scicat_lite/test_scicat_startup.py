"""``python -m scicat_lite`` start-up: one line and exit 2 for bad configuration, 1 for no database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from scicat_lite.settings import Settings, SettingsError

from tests.support import free_port

SRC = Path(__file__).resolve().parents[3] / "services/scicat-lite/src"
BASE = {"DATABASE_URL": "postgresql://u:p@127.0.0.1:1/x", "JWT_SECRET": "s" * 32}


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JWT_SECRET")}
    return subprocess.run(
        [sys.executable, "-m", "scicat_lite"],
        env=clean | {"PYTHONPATH": str(SRC)} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"JWT_SECRET": "x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://x"}, "JWT_SECRET"),
        (BASE | {"PORT": "eighty"}, "PORT"),
        (BASE | {"PORT": "70000"}, "PORT"),
        (BASE | {"MAX_FILE_UPLOAD_SIZE": "lots"}, "MAX_FILE_UPLOAD_SIZE"),
        (BASE | {"DATABASE_WAIT_SECONDS": "-1"}, "DATABASE_WAIT_SECONDS"),
        (BASE | {"JWT_EXPIRES_IN": "1h"}, "JWT_EXPIRES_IN"),
    ],
)
def test_settings_name_the_bad_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_settings_are_frozen() -> None:
    settings = Settings.from_env(BASE)
    with pytest.raises(ValueError, match="frozen"):
        settings.port = 1  # type: ignore[misc]


def test_missing_variable_exits_2_with_one_line() -> None:
    result = _run({"JWT_SECRET": "x"})
    assert result.returncode == 2
    expected = (
        "scicat-lite: environment variable DATABASE_URL is required: "
        "set it to the libpq URL of the PostgreSQL database"
    )
    assert result.stderr.strip().splitlines() == [expected]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('[{"email": "a@example.org", "password": "p"}]', "0.username: Field required"),
        ('{"username": "a"}', "(top level)"),
    ],
)
def test_bad_accounts_file_exits_2_naming_it(tmp_path: Path, content: str, expected: str) -> None:
    accounts = tmp_path / "functionalAccounts.json"
    accounts.write_text(content)
    result = _run(BASE | {"FUNCTIONAL_ACCOUNTS_FILE": str(accounts)})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"scicat-lite: {accounts}: ")
    assert expected in lines[0]


def test_unreachable_database_exits_1() -> None:
    url = f"postgresql://u:p@127.0.0.1:{free_port()}/scicat"
    result = _run({"DATABASE_URL": url, "JWT_SECRET": "s", "DATABASE_WAIT_SECONDS": "1"})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("scicat-lite: PostgreSQL not reachable after 1s")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_bad_frontend_config_exits_2_naming_it(tmp_path: Path, content: str) -> None:
    config = tmp_path / "frontend.config.json"
    config.write_text(content)
    result = _run(BASE | {"FRONTEND_CONFIG_FILE": str(config)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().startswith(f"scicat-lite: {config} (FRONTEND_CONFIG_FILE): ")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LDAP_URL": "ldap://127.0.0.1:1"}, "LDAP_SEARCH_FILTER"),
        ({"LDAP_URL": "http://x"}, "LDAP_URL"),
        ({"OIDC_ISSUER": "http://op"}, "OIDC_CLIENT_ID"),
        (
            {"OIDC_ISSUER": "http://op", "OIDC_CLIENT_ID": "c", "OIDC_CALLBACK_URL": "u"},
            "EXPRESS_SESSION_SECRET",
        ),
        ({"OIDC_SUCCESS_URL": "http://frontend/elsewhere"}, "OIDC_SUCCESS_URL"),
        ({"OIDC_FRONTEND_CLIENTS": "other"}, "OIDC_OTHER_SUCCESS_URL"),
        ({"ACCESS_GROUPS_STATIC_ENABLED": "maybe"}, "ACCESS_GROUPS_STATIC_ENABLED"),
    ],
)
def test_login_settings_name_the_bad_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(BASE | env)
