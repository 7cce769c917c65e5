"""The CLI: thin commands, one clear line for every user error, right exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scicatlive.cli import app
from tests.unit.helpers import write_profile

runner = CliRunner()


def test_help_everywhere() -> None:
    for command in ([], ["up"], ["down"], ["config"], ["status"], ["logs"], ["credentials"], ["doctor"],
                    ["profiles"], ["profiles", "list"], ["profiles", "show"], ["images"], ["images", "build"],
                    ["images", "save"], ["images", "load"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Usage" in result.output


def test_config_prints_valid_yaml_with_project_name() -> None:
    result = runner.invoke(app, ["config", "--stack", "cfg"])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.stdout)
    assert document["name"] == "scicatlive-cfg"


def test_config_to_file(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    result = runner.invoke(app, ["config", "--profile", "minimal", "-o", str(target)])
    assert result.exit_code == 0
    assert yaml.safe_load(target.read_text())["services"]["backend"]


def test_bad_profile_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "x", "services:\n  postgres: {port: 99999}\n")
    result = runner.invoke(app, ["config", "--profile", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {path}: services.postgres.port: must be 1-65535"
    assert "Traceback" not in result.output


def test_unknown_service(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "x", "services:\n  elasticsearch: {}\n")
    result = runner.invoke(app, ["up", "--profile", str(path)])
    assert result.exit_code == 2
    assert "services.elasticsearch: unknown service 'elasticsearch'" in result.stderr


def test_env_var_selects_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICATLIVE_PROFILE", "minimal")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    assert "backend-next" in result.stdout


@pytest.mark.parametrize("command", ["up", "down"])
def test_no_docker_engine_is_one_clear_line(command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`up` reaches the engine through python-on-whales, `down` through the Docker CLI: both say it alike."""
    assert runner.invoke(app, ["config", "--stack", "nodocker"]).exit_code == 0  # the stack is set up here
    monkeypatch.setenv("SCICATLIVE_DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = runner.invoke(app, [command, "--stack", "nodocker"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no Docker engine answers")
    assert "hint: start the engine" in result.stderr
    assert "Traceback" not in result.output


def test_status_of_an_unknown_stack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCICATLIVE_DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = runner.invoke(app, ["credentials", "--stack", "ghost"])
    assert result.exit_code == 1
    assert "no stack named 'ghost' has been set up here" in result.stderr


def test_profiles_list_and_show_json() -> None:
    listed = runner.invoke(app, ["profiles", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    import json

    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert set(rows) == {"full", "lite", "minimal", "lite-jobs", "lite-auth", "lite-all", "full-all", "training",
                         "lite-search", "full-search", "lite-live"}
    assert rows["lite"]["default"] is True
    shown = json.loads(runner.invoke(app, ["profiles", "show", "full", "--json"]).stdout)
    images = {s["name"]: s["image"] for s in shown["services"]}
    assert images["backend"] == "ghcr.io/scicatproject/backend-next:v5.2.1"
    assert images["frontend"] == "ghcr.io/scicatproject/frontend:v5.11.0"
    assert images["mongo"] == "mongo:8.3"
    assert images["opensearch"] == "opensearchproject/opensearch:3.8.0"


def test_credentials_show_generated_passwords_after_config() -> None:
    assert runner.invoke(app, ["config", "--stack", "creds"]).exit_code == 0
    result = runner.invoke(app, ["credentials", "--stack", "creds", "--json"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    assert {a["username"] for a in data["accounts"]} >= {"admin", "ingestor"}
    assert all(len(a["password"]) >= 24 for a in data["accounts"])
    assert "jwt_secret" in data["secrets"]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("scicatlive ")


def test_seed_gives_up_on_a_silent_backend_after_its_retry_budget() -> None:
    """A backend that accepts connections and answers 503 is retried for --retry-seconds, then named."""
    import time

    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    from tests.support import serve_app

    down = FastAPI()

    @down.api_route("/{path:path}", methods=["GET", "POST"])
    def unavailable(path: str) -> JSONResponse:
        return JSONResponse({"statusCode": 503, "message": "database unreachable"}, status_code=503)

    with serve_app(down) as url:
        started = time.monotonic()
        result = CliRunner().invoke(
            app, ["seed", "tiny", "--backend-url", url, "--password", "x", "--retry-seconds", "1"]
        )
        elapsed = time.monotonic() - started
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert url in result.output and "503" in result.output, result.output
    assert elapsed < 30, elapsed  # the budget bounds the wait (1 s + backoff), not 60 s


def test_a_negative_retry_budget_is_refused() -> None:
    result = CliRunner().invoke(app, ["seed", "tiny", "--backend-url", "http://127.0.0.1:9", "--retry-seconds", "-1"])
    assert result.exit_code == 2
    assert "--retry-seconds" in result.output


def test_progress_bars_draw_on_the_lazy_console(capsys: pytest.CaptureFixture[str]) -> None:
    """rich enters its console as a context manager: the lazy console must support that."""
    from scicatlive.cli.context import ConsoleReporter

    with ConsoleReporter() as reporter:
        reporter.progress("datasets", 1, 2)
        reporter.progress("datasets", 2, 2)
    assert "2/2" in capsys.readouterr().err


def test_the_retry_budget_is_60_seconds_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `seed` waits for a silent service by default, and how the environment changes it."""
    import typer.main

    seed = typer.main.get_command(app).commands["seed"]  # type: ignore[attr-defined]
    [option] = [p for p in seed.params if p.name == "retry_seconds"]
    assert option.default == 60.0
    assert "SCICATLIVE_RETRY_SECONDS" in (option.envvar or ())
    assert "--retry-seconds" in runner.invoke(app, ["seed", "--help"]).stdout
