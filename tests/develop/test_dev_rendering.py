"""Dev mode rendered: develop.watch for our services, SciCatLive's DEV conventions for upstream's."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scicatlive.cli import app
from scicatlive.engine import compose_binary
from scicatlive.paths import services_dir
from tests.unit.helpers import write_profile

runner = CliRunner()
OURS = {"scicat-lite": "scicat_lite", "ispyb-mock": "ispyb_mock", "frontend-lite": "frontend_lite"}


def _checkout(tmp_path: Path, service: str) -> Path:
    target = tmp_path / f"checkout-{service}"
    shutil.copytree(services_dir() / service, target)
    return target


def _config(*arguments: str) -> dict:
    result = runner.invoke(app, ["config", *arguments])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(result.stdout)


def _compose_accepts(document: dict, tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(document))
    result = subprocess.run(
        [str(compose_binary()), "-f", str(path), "config", "--quiet"], capture_output=True, text=True, check=False,
        env={**os.environ, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": ""},
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", sorted(OURS))
def test_our_services_mount_the_checkout_and_are_watched(service: str, tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, service)
    document = _config("--stack", "dev", "--dev", f"{service}={checkout}")
    rendered = document["services"][service]
    state = Path(os.environ["SCICATLIVE_STATE_DIR"]) / "stacks" / "dev" / "dev" / service
    assert rendered["image"].endswith(":dev-dev")
    assert rendered["build"] == {"context": str(state), "dockerfile": "Dockerfile", "args": {"BASE_IMAGE": "scicatlive/python:bookworm"}}
    assert rendered["volumes"][0] == {"type": "bind", "source": str(checkout / "src"), "target": "/app/src", "read_only": True}
    assert rendered["develop"] == {"watch": [
        {"action": "restart", "path": str(checkout / "src")},
        {"action": "rebuild", "path": str(state / "requirements.txt")},
        {"action": "rebuild", "path": str(state / "Dockerfile")},
    ]}
    assert rendered["labels"]["io.scicatlive.dev"] == str(checkout)
    assert "command" not in rendered  # the image's own command runs the checkout's code
    others = {name for name, body in document["services"].items() if "develop" in body}
    assert others == {service}
    _compose_accepts(document, tmp_path)


def test_upstream_backend_follows_scicatlives_dev_conventions(tmp_path: Path) -> None:
    checkout = tmp_path / "backend"
    checkout.mkdir()
    (checkout / "Dockerfile").write_text("FROM node:24-alpine AS dev\n")
    (checkout / "package.json").write_text("{}")
    backend = _config("--profile", "full", "--stack", "up", "--dev", f"backend={checkout}")["services"]["backend"]
    assert backend["image"] == "scicatlive/backend-dev:up"
    assert backend["build"] == {"context": str(checkout), "target": "dev"}
    assert backend["command"] == ["npm", "run", "start:dev"]
    assert backend["volumes"][:3] == [
        {"type": "bind", "source": str(checkout), "target": "/home/node/app", "read_only": False},
        {"type": "volume", "target": "/home/node/app/node_modules"},
        {"type": "volume", "target": "/home/node/app/dist"},
    ]
    assert backend["ports"][0]["target"] == 3000 and backend["ports"][0]["host_ip"] == "127.0.0.1"
    assert backend["develop"]["watch"][0] == {"action": "rebuild", "path": str(checkout / "package.json")}


def test_upstream_frontend_serves_with_ng_serve_on_its_own_port(tmp_path: Path) -> None:
    checkout = tmp_path / "frontend"
    checkout.mkdir()
    for name in ("Dockerfile", "package.json", "angular.json"):
        (checkout / name).write_text("{}")
    document = _config("--profile", "full", "--stack", "up", "--port-offset", "10", "--dev", f"frontend={checkout}")
    frontend = document["services"]["frontend"]
    assert frontend["build"] == {"context": str(checkout), "target": "builder"}
    assert frontend["command"][:2] == ["npm", "start"] and "0.0.0.0" in frontend["command"]
    assert frontend["ports"] == [{"target": 4200, "published": "4210", "host_ip": "127.0.0.1", "protocol": "tcp"}]
    config = next(v for v in frontend["volumes"] if v["target"].endswith("config.override.json"))
    assert config["target"] == "/frontend/src/assets/config.override.json"
    assert frontend["volumes"][0]["target"] == "/frontend"  # the checkout first, the generated file on top
    _compose_accepts(document, tmp_path)


def test_profile_source_is_relative_to_the_profile_file(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, "ispyb-mock")
    profile = write_profile(tmp_path, "mine", f"extends: lite\nservices:\n  ispyb-mock: {{source: {checkout.name}}}\n")
    document = _config("--profile", str(profile), "--stack", "mine")
    assert document["services"]["ispyb-mock"]["labels"]["io.scicatlive.dev"] == str(checkout)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dev", "scicat-lite"], "error: --dev: 'scicat-lite' is not NAME=PATH"),
        (["--dev", "scicat-lite={missing}"], "error: --dev scicat-lite: {missing} does not exist"),
        (["--dev", "scicat-lite={file}"], "error: --dev scicat-lite: {file} is not a folder"),
        (["--dev", "scicat-lite={empty}"], "error: --dev scicat-lite: {empty} is not a checkout of scicat-lite: it has no Dockerfile, requirements.txt, src"),
        (["--dev", "postgres={empty}"], "error: --dev postgres: postgres has no dev recipe (services/postgres/dev.yaml)"),
        (["--dev", "backend={empty}"], "error: --dev: backend is not a service of stack 'lite'"),
        (["--dev", "scicat-lite={empty}", "--dev", "scicat-lite={empty}"], "error: --dev: scicat-lite is given twice"),
    ],
)
def test_bad_dev_input_is_one_line_and_exit_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    places = {"missing": tmp_path / "missing", "file": tmp_path / "file", "empty": tmp_path / "empty"}
    places["file"].write_text("")
    places["empty"].mkdir()
    for command in ("config", "up"):
        result = runner.invoke(app, [command, *[a.format(**places) for a in arguments]])
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[0] == message.format(**places)
        assert "Traceback" not in result.output


def test_bad_source_in_a_profile_names_the_key(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "mine", "extends: lite\nservices:\n  scicat-lite: {source: nowhere}\n")
    result = runner.invoke(app, ["config", "--profile", str(profile)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"error: {profile}: services.scicat-lite.source: {tmp_path / 'nowhere'} does not exist"


def test_watch_without_a_dev_service_is_refused() -> None:
    result = runner.invoke(app, ["up", "--watch"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "error: --watch: no service runs from a checkout, so there is nothing to watch"
