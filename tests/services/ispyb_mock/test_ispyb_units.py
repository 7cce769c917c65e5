"""Pure logic, no database: domain rules, settings, users file, tokens, start-up wait."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from ispyb_mock import rules
from ispyb_mock.auth import Identity, TokenIssuer
from ispyb_mock.db import DatabaseUnavailable, wait_for_database
from ispyb_mock.errors import Conflict, RuleViolation, Unauthorized, _location
from ispyb_mock.schemas.common import DbDateTime
from ispyb_mock.settings import Settings, SettingsError
from ispyb_mock.users import Accounts, UsersFileError
from pydantic import TypeAdapter
from sqlalchemy.exc import OperationalError


@pytest.mark.parametrize(
    ("kind", "requested", "capacity"),
    [
        ("Unipuck", None, 16),
        ("Unipuck", 16, 16),
        ("Spinepuck", None, 10),
        ("Cane", 6, 6),
        ("Other", 1, 1),
    ],
)
def test_container_capacity(kind: str, requested: int | None, capacity: int) -> None:
    assert rules.container_capacity(kind, requested) == capacity


@pytest.mark.parametrize(
    ("kind", "requested", "field"),
    [
        ("Unipuck", 10, "capacity"),
        ("Spinepuck", 16, "capacity"),
        ("Cane", None, "capacity"),
        ("Basket", 4, "containerType"),
    ],
)
def test_container_capacity_violations(kind: str, requested: int | None, field: str) -> None:
    with pytest.raises(RuleViolation) as error:
        rules.container_capacity(kind, requested)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("location", "capacity", "ok"),
    [
        (1, 16, True),
        (16, 16, True),
        (17, 16, False),
        (0, 16, False),
        (10, 10, True),
        (11, 10, False),
    ],
)
def test_sample_location(location: int, capacity: int, ok: bool) -> None:
    if ok:
        rules.check_sample_location(location, capacity)
    else:
        with pytest.raises(RuleViolation, match="outside") as error:
            rules.check_sample_location(location, capacity)
        assert error.value.field == "location"


def test_samples_must_fit_a_smaller_container() -> None:
    rules.check_fits([1, 10], 10)
    with pytest.raises(RuleViolation, match=r"\[12, 16\]"):
        rules.check_fits([1, 12, 16], 10)


@pytest.mark.parametrize(
    ("beamline", "slot", "ok"),
    [
        ("BioMAX", "29", True),
        ("BioMAX", "30", False),
        ("BioMAX", "0", False),
        ("BioMAX", "x", False),
        ("BioMAX", "", True),
        ("BioMAX", None, True),
        ("ID30B", "24", True),
        ("ID30B", "25", False),
        ("XALOC", "10", False),
        (None, "29", True),
        ("Unknown", "30", False),
    ],
)
def test_sample_changer_location(beamline: str | None, slot: str | None, ok: bool) -> None:
    changer = rules.sample_changer_for(beamline, "ISARA")
    if ok:
        rules.check_sample_changer_location(slot, changer)
    else:
        with pytest.raises(RuleViolation) as error:
            rules.check_sample_changer_location(slot, changer)
        assert error.value.field == "sampleChangerLocation"


def test_status_lists_name_the_site() -> None:
    assert "sent to MAXIV" in rules.shipping_statuses("MAXIV")
    assert "at MAXIV" in rules.dewar_statuses("MAXIV")
    assert "unprocessing" in rules.dewar_statuses("MAXIV")
    rules.check_status(None, rules.shipping_statuses("MAXIV"), "shippingStatus")
    with pytest.raises(RuleViolation) as error:
        rules.check_status("lost", rules.shipping_statuses("MAXIV"), "shippingStatus")
    assert error.value.field == "shippingStatus"


def test_unique_keys_in_one_request() -> None:
    rules.check_unique([("a", 1), ("b", 2), ("c", None), ("d", None)], "barcode")
    with pytest.raises(RuleViolation) as error:
        rules.check_unique([("a", "X"), ("b", "X")], "barcode")
    assert error.value.field == "b"


def test_scaling_shells() -> None:
    rules.check_scaling_shells(["outerShell", "overall", "innerShell"])
    for shells in (
        ["overall"],
        ["overall", "overall", "innerShell"],
        ["overall", "innerShell", "outerShell", "overall"],
    ):
        with pytest.raises(RuleViolation):
            rules.check_scaling_shells(shells)


def test_settings_from_env(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "mysql+pymysql://u@h/db",
        "JWT_SECRET": "s" * 16,
        "ISPYB_USERS_FILE": "/u.json",
    }
    settings = Settings.from_env(env)
    assert (settings.host, settings.port, settings.users_file) == ("0.0.0.0", 8000, Path("/u.json"))
    assert settings.oidc is None and settings.database_timeout_seconds < 1
    assert Settings.from_env(env | {"PORT": "9000", "ISPYB_SITE": "ESRF"}).port == 9000
    oidc = Settings.from_env(env | {"OIDC_ISSUER": "http://idp/realms/r", "OIDC_AUDIENCE": "ispyb"})
    assert oidc.oidc is not None and oidc.oidc.discovery == (
        "http://idp/realms/r/.well-known/openid-configuration"
    )
    with pytest.raises(ValueError):  # frozen
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"JWT_SECRET": None}, "JWT_SECRET is required: set it to"),
        ({"JWT_SECRET": "short"}, "JWT_SECRET is invalid"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is required"),
        ({"PORT": "eighty"}, "PORT is invalid"),
        ({"PORT": "70000"}, "PORT is invalid"),
        ({"ISPYB_SAMPLE_CHANGER": "ROBOT"}, "ISPYB_SAMPLE_CHANGER is invalid"),
        ({"DATABASE_TIMEOUT_SECONDS": "0"}, "DATABASE_TIMEOUT_SECONDS is invalid"),
        ({"OIDC_AUDIENCE": "ispyb"}, "OIDC_ISSUER is required"),
    ],
)
def test_settings_errors_name_the_variable(change: dict[str, str | None], message: str) -> None:
    env = {
        "DATABASE_URL": "mysql+pymysql://u@h/db",
        "JWT_SECRET": "s" * 16,
        "ISPYB_USERS_FILE": "/u.json",
    } | change
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({k: v for k, v in env.items() if v is not None})


def test_users_file(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps(
            [{"login": "a", "password": "p1", "permissions": ["all_proposals"], "groups": ["g"]}]
        )
    )
    accounts = Accounts.load(path)
    account = accounts.authenticate("a", "p1")
    assert account is not None and account.permissions == ("all_proposals",)
    assert accounts.authenticate("a", "wrong") is None
    assert accounts.authenticate("nobody", "p1") is None
    path.write_text(json.dumps([{"login": "a", "password": "1"}, {"login": "a", "password": "2"}]))
    with pytest.raises(UsersFileError, match="twice"):
        Accounts.load(path)
    path.write_text('[{"login": "a"}]')
    with pytest.raises(UsersFileError, match="invalid"):
        Accounts.load(path)
    with pytest.raises(UsersFileError, match="cannot read"):
        Accounts.load(tmp_path / "missing.json")


def test_tokens() -> None:
    issuer = TokenIssuer("k" * 32, minutes=5, refresh_minutes=60)
    identity = Identity("abcd", ("all_proposals",), ("g",))
    user = issuer.verify(issuer.issue(identity, 3))
    assert user.login == "abcd" and user.sees_all and user.groups == ("g",)
    expired = TokenIssuer("k" * 32, minutes=-1, refresh_minutes=-1)
    with pytest.raises(Unauthorized, match="expired"):
        expired.verify(expired.issue(identity, None))
    with pytest.raises(Unauthorized, match="Invalid"):
        TokenIssuer("x" * 32, 5, 5).verify(issuer.issue(identity, None))
    refresh = issuer.issue_refresh(identity)
    assert issuer.verify_refresh(refresh) == identity
    with pytest.raises(Unauthorized, match="Invalid"):
        issuer.verify(refresh)  # a refresh token is no access token
    with pytest.raises(Unauthorized, match="Invalid"):
        issuer.verify_refresh(issuer.issue(identity, None))  # and the other way round
    with pytest.raises(Unauthorized, match="expired"):
        expired.verify_refresh(expired.issue_refresh(identity))


class _FlakyEngine:
    """Refuses connections ``failures`` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0

    def connect(self) -> _FlakyEngine:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise OperationalError("SELECT 1", {}, Exception("Can't connect to MySQL server"))
        return self

    def __enter__(self) -> _FlakyEngine:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def execute(self, statement: object) -> None:
        return None


def test_wait_for_database_retries_until_up() -> None:
    engine = _FlakyEngine(failures=3)
    naps: list[float] = []
    wait_for_database(engine, timeout=60, interval=0.5, sleep=naps.append)  # type: ignore[arg-type]
    assert engine.attempts == 4 and naps == [0.5, 0.5, 0.5]


def test_wait_for_database_gives_up() -> None:
    clock = iter(range(0, 100, 10))
    with pytest.raises(DatabaseUnavailable, match="after 3 attempts"):
        wait_for_database(
            _FlakyEngine(failures=99),
            timeout=25,
            sleep=lambda _: None,  # type: ignore[arg-type]
            clock=lambda: float(next(clock)),
        )


def test_datetimes_are_stored_naive_utc_whole_seconds() -> None:
    adapter = TypeAdapter(DbDateTime)
    aware = datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert adapter.validate_python(aware) == datetime(2024, 3, 1, 8, 0, 0)
    assert adapter.validate_python("2024-03-01T08:00:00.5Z") == datetime(2024, 3, 1, 8, 0, 0)


def test_error_locations_read_like_json_paths() -> None:
    assert (
        _location(("body", "shippings", 0, "dewars", 2, "barCode"))
        == "body.shippings[0].dewars[2].barCode"
    )
    assert Conflict("taken", "barcode").status_code == 409
