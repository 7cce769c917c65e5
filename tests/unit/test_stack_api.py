"""``scicatlive.Stack`` as a library user calls it, without Docker: config, credentials, target, ports, names."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scicatlive import Stack
from scicatlive.cli import app
from scicatlive.errors import ConfigError, StackError
from scicatlive.runtime.ports import EPHEMERAL_START
from tests.support.reporting import RecordingReporter
from tests.unit.helpers import write_profile

runner = CliRunner()
BAD_NAMES = ["../../etc", "Bad Name!", "UPPER", "-dash-first", "a/b", "x" * 42, ""]


def _state() -> Path:
    return Path(os.environ["SCICATLIVE_STATE_DIR"])


def test_config_credentials_and_target_of_one_handle() -> None:
    stack = Stack("lite", name="api", port_offset=0)
    compose = yaml.safe_load(stack.config())
    assert compose["name"] == "scicatlive-api"
    accounts = {a.username: a for a in stack.credentials().accounts}
    assert {"admin", "ingestor", "user1", "user2"} <= set(accounts)
    target = stack.target
    assert target.backend_url == "http://127.0.0.1:3000" == stack.urls["scicat-lite"]
    assert target.ispyb_url == "http://127.0.0.1:8000"
    assert target.password("user1") == accounts["user1"].password
    assert "globalaccess" in target.accounts["admin"].groups
    assert target.pid_prefix == "PID.SAMPLE.PREFIX" and target.stack == "api"


def test_auto_ports_pick_a_free_block_below_the_ephemeral_range_and_keep_it() -> None:
    with socket.socket() as squatter:  # somebody holds the default SciCat port (maybe already)
        with contextlib.suppress(OSError):
            squatter.bind(("127.0.0.1", 3000))
            squatter.listen()
        first = Stack("lite", name="auto-a")
        first.config()
    ports = [p.host for s in first.resolved.services.values() for p in s.ports if p.host]
    assert 3000 not in ports and all(port < EPHEMERAL_START for port in ports)
    assert first.resolved.settings.port_offset % 100 == 0 and first.resolved.settings.port_offset > 0
    # The choice is part of the stack's state: the same stack gets the same ports again.
    assert Stack("lite", name="auto-a").resolved.settings.port_offset == first.resolved.settings.port_offset
    # Another stack stays clear of them, even while the first is stopped.
    second = Stack("lite", name="auto-b")
    theirs = {p.host for s in second.resolved.services.values() for p in s.ports if p.host}
    assert theirs.isdisjoint(ports)


def test_existing_stacks_resolve_as_they_were_started() -> None:
    Stack("lite", name="again", port_offset=700).config()
    found = Stack.existing("again")
    assert found.record().port_offset == 700
    assert found.target.backend_url == "http://127.0.0.1:3700"
    with pytest.raises(StackError, match="no stack named 'ghost' has been set up here"):
        Stack.existing("ghost")


def test_attach_reaches_a_remote_stack_with_a_credentials_file(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.yaml"
    accounts.write_text("accounts:\n  - {username: admin, password: s3cret, groups: [admin]}\n")
    remote = Stack.attach("https://scicat.example.org/", credentials=accounts, ispyb_url="https://ispyb.example.org")
    assert remote.attached and remote.target.backend_url == "https://scicat.example.org"
    assert remote.target.password("admin") == "s3cret"
    assert remote.urls == {"backend": "https://scicat.example.org", "ispyb": "https://ispyb.example.org"}
    for action in (remote.up, remote.down, remote.status, remote.credentials):
        with pytest.raises(StackError, match="remote stack"):
            action()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_stack_names_are_refused_by_the_python_api_before_anything_is_written(name: str) -> None:
    with pytest.raises(ConfigError, match="is not a valid stack name"):
        Stack("lite", name=name)
    with pytest.raises(ConfigError, match="is not a valid stack name"):
        Stack.existing(name)
    assert not (_state().parent / "etc").exists()
    assert not any(_state().rglob("*")) if _state().exists() else True


@pytest.mark.parametrize("name", ["../../etc", "Bad Name!"])
def test_bad_stack_names_are_one_line_and_exit_2_on_the_cli(name: str) -> None:
    for command in (["config", "--stack", name], ["up", "--stack", name], ["status", "--stack", name],
                    ["down", "--stack", name], ["credentials", "--stack", name], ["seed", "tiny", "--stack", name],
                    ["check", "--stack", name]):  # fmt: skip
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.strip() == f"error: --stack: {name!r} is not a valid stack name: use lowercase letters, " \
            "digits, '-' and '_', starting with a letter or digit (at most 41 characters)", command
        assert "Traceback" not in result.output
    assert not (_state().parent / "etc").exists()


def test_a_bad_stack_name_from_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICATLIVE_STACK", "../../etc")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 2
    assert "'../../etc' is not a valid stack name" in result.stderr
    assert not (_state().parent / "etc").exists()


def test_a_bad_stack_name_in_a_profile_names_file_and_key(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "bad", "extends: lite\nstack: {name: 'Bad Name!'}\n")
    result = runner.invoke(app, ["config", "--profile", str(profile)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {profile}: stack.name: 'Bad Name!' does not match the required pattern")


def test_port_offset_auto_on_the_cli_and_bad_values() -> None:
    auto = runner.invoke(app, ["config", "--stack", "cli-auto", "--port-offset", "auto"])
    assert auto.exit_code == 0, auto.output
    record = json.loads((_state() / "stacks" / "cli-auto" / "stack.json").read_text())
    assert record["port_offset"] > 0
    bad = runner.invoke(app, ["config", "--port-offset", "lots"])
    assert bad.exit_code == 2 and "'lots' is neither 'auto' nor a number from 0 to 60000" in bad.output


def test_attach_takes_feature_services(monkeypatch: pytest.MonkeyPatch) -> None:
    from scicatlive.clients.target import FeatureOptions

    monkeypatch.delenv("SCICATLIVE_FEATURES", raising=False)
    stack = Stack.attach(
        "http://backend.example:3000",
        username="admin",
        password="secret",
        features=FeatureOptions(features=("ldap",), rabbitmq_url="http://broker.example:15672"),
    )
    assert stack.attached
    assert {"ldap", "jobs"} <= set(stack.target.features)
    assert stack.target.broker is not None and stack.target.broker.url == "http://broker.example:15672"


def test_up_warns_about_passwords_shorter_than_8_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client's CI account (SciCatLive's ingestor: 4 characters) is accepted, with a warning."""
    from scicatlive.runtime import lifecycle

    def engine_gone(*args: object, **kwargs: object) -> None:
        raise StackError("no engine in this test")

    monkeypatch.setattr(lifecycle, "up", engine_gone)
    profile = write_profile(tmp_path, "short", "extends: lite\naccounts:\n  - {username: ingestor, email: ingestor@example.org, groups: [ingestor], password: aman}\n")
    steps = RecordingReporter()
    with pytest.raises(StackError, match="no engine"):
        Stack(profile, name="short-pw", port_offset=0, reporter=steps).up(seed=False)
    [warning] = [line for line in steps.steps if line.startswith("warning:")]
    assert "ingestor" in warning and "shorter than 8 characters" in warning
    assert "user1" not in warning  # generated passwords are long
