"""Handouts: a page per account, passwords only there, nothing half-written, clear errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scicatlive.cli import app
from scicatlive.errors import ConfigError
from scicatlive import Stack
from tests.unit.helpers import write_stack_files
from scicatlive.training.handout import write_handouts

runner = CliRunner()
STACK = "room"


@pytest.fixture
def training_stack() -> str:
    """A training stack as `up` leaves it on disk (record, secrets), without starting it."""
    write_stack_files("training", name=STACK, port_offset=100)
    return STACK


def _passwords(stack: str) -> dict[str, str]:
    return {a.username: a.password for a in Stack.existing(stack).credentials().accounts}


def test_a_page_per_account_in_html_and_markdown(training_stack: str, tmp_path: Path) -> None:
    written = write_handouts(training_stack, tmp_path / "out")
    passwords = _passwords(training_stack)
    names = {p.name for p in written.files}
    assert names == {f"{u}.{ext}" for u in passwords for ext in ("md", "html")} | {"index.md"}
    page = (tmp_path / "out" / "rhauffer.md").read_text()
    assert f"password: `{passwords['rhauffer']}`" in page
    assert "groups: `mx20255311`, `mx20256540`" in page
    assert "SciCat API: <http://127.0.0.1:3100/api/v3>" in page
    assert "catalogue (web): <http://127.0.0.1:8180>" in page
    token = Stack.existing(training_stack).credentials().secrets["jupyter_token"]
    assert f"JupyterLab: <http://127.0.0.1:8988/lab?token={token}>" in page
    assert "- 5. Archive a dataset and watch the job (needs jobs on the stack): " in page
    html_page = (tmp_path / "out" / "rhauffer.html").read_text()
    assert passwords["rhauffer"] in html_page and "5. Archive a dataset" in html_page and html_page.startswith("<!doctype html>")


def test_passwords_appear_only_on_their_own_page(training_stack: str, tmp_path: Path) -> None:
    write_handouts(training_stack, tmp_path)
    passwords = _passwords(training_stack)
    for path in tmp_path.iterdir():
        owner = path.stem
        for user, password in passwords.items():
            assert (password in path.read_text()) == (user == owner), (path.name, user)


def test_pages_are_private(training_stack: str, tmp_path: Path) -> None:
    written = write_handouts(training_stack, tmp_path / "private")
    assert stat.S_IMODE(written.folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written.files)


def test_chosen_accounts_only(training_stack: str, tmp_path: Path) -> None:
    written = write_handouts(training_stack, tmp_path, ["gcooper", "rvalle", "gcooper"])
    assert sorted(p.name for p in written.files) == ["gcooper.html", "gcooper.md", "index.md", "rvalle.html", "rvalle.md"]


def test_unknown_account_writes_nothing(training_stack: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--account: stack 'room' has no account 'nobody'"):
        write_handouts(training_stack, tmp_path / "none", ["gcooper", "nobody"])
    assert not (tmp_path / "none").exists()


def test_a_stack_without_jupyter_has_no_exercises(tmp_path: Path) -> None:
    write_stack_files("lite", name="plain")
    page = (write_handouts("plain", tmp_path).folder / "user1.md").read_text()
    assert "JupyterLab" not in page and "Exercises" not in page


def test_cli_writes_to_the_default_folder(training_stack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["handout", "--stack", training_stack, "--account", "gcooper"])
    assert result.exit_code == 0, result.output
    assert "wrote 1 handout page for stack 'room'" in result.stderr
    assert (tmp_path / "handouts-room" / "gcooper.html").is_file()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--stack", "nothere"], "error: no stack named 'nothere' has been set up here"),
        (["--stack", STACK, "--account", "nobody"], "error: --account: stack 'room' has no account 'nobody'"),
        (["--stack", STACK, "--output", "{file}"], "error: --output: {file} is a file, not a folder"),
    ],
)
def test_cli_bad_input_is_one_line(training_stack: str, tmp_path: Path, arguments: list[str], message: str) -> None:
    file = tmp_path / "taken"
    file.write_text("")
    result = runner.invoke(app, ["handout", *[a.format(file=file) for a in arguments]])
    assert result.exit_code in (1, 2)
    assert result.stderr.splitlines()[0] == message.format(file=file)
    assert "Traceback" not in result.output


def test_credentials_show_the_jupyter_login(training_stack: str) -> None:
    result = runner.invoke(app, ["credentials", "--stack", training_stack])
    token = Stack.existing(training_stack).credentials().secrets["jupyter_token"]
    assert f"jupyter login  http://127.0.0.1:8988/lab?token={token}" in result.stdout


def test_help() -> None:
    result = runner.invoke(app, ["handout", "--help"])
    assert result.exit_code == 0 and "--account" in result.output and "./handouts-STACK" in result.output
