"""The jupyter service in the compose file: loopback port, token out of the YAML, scicatlive mounted."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from scicatlive import Stack
from scicatlive.engine import compose_binary
from tests.unit.helpers import write_stack_files
import scicatlive
from tests.unit.helpers import write_profile


def _render(profile: str | Path, stack: str) -> tuple[dict, Path]:
    paths = write_stack_files(str(profile), name=stack)
    return yaml.safe_load(paths.compose_file.read_text()), paths.compose_file


def _compose_accepts(path: Path) -> None:
    result = subprocess.run(
        [str(compose_binary()), "-f", str(path), "config", "--quiet"], capture_output=True, text=True, check=False,
        env={**os.environ, "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND": ""},
    )
    assert result.returncode == 0, result.stderr


def test_local_jupyter_is_wired_to_the_stack() -> None:
    compose, path = _render("training", "room")
    jupyter = compose["services"]["jupyter"]
    assert jupyter["ports"] == [{"target": 8888, "published": "8888", "host_ip": "127.0.0.1", "protocol": "tcp"}]
    assert jupyter["environment"]["SCICAT_URL"] == "http://scicat-lite:3000/api/v3"
    assert jupyter["environment"]["ISPYB_URL"] == "http://ispyb-mock:8000"
    assert jupyter["environment"]["PYTHONPATH"] == "/opt/scicatlive"
    assert jupyter["depends_on"] == {"scicat-lite": {"condition": "service_started"}}  # asked from the host
    assert {"type": "bind", "source": str(Path(scicatlive.__file__).resolve().parent), "target": "/opt/scicatlive/scicatlive", "read_only": True} in jupyter["volumes"]
    assert jupyter["healthcheck"]["test"][-1] == "http://127.0.0.1:8888/api"
    _compose_accepts(path)


def test_the_token_is_a_per_stack_secret_kept_out_of_the_yaml() -> None:
    _, path = _render("training", "room")
    token = Stack.existing("room").credentials().secrets["jupyter_token"]
    assert len(token) >= 32 and token not in path.read_text()
    env_file = path.parent / "env" / "jupyter.env"
    assert f"JUPYTER_TOKEN={token}" in env_file.read_text()
    _render("training", "other")
    assert Stack.existing("other").credentials().secrets["jupyter_token"] != token


def test_upstream_variant_is_wired_as_scicatlive_wires_it(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "analysis", "extends: full\nservices:\n  jupyter: {variant: upstream}\n")
    compose, path = _render(profile, "analysis")
    jupyter = compose["services"]["jupyter"]
    assert jupyter["image"] == "quay.io/jupyter/base-notebook:x86_64-notebook-7.1.2"
    assert jupyter["environment"]["BE_BASE_URL"] == "http://backend:3000/api/v3/"
    assert jupyter["environment"]["USERNAME"] == "admin"
    assert "PASSWORD=" in (path.parent / "env" / "jupyter.env").read_text()
    targets = {v["target"] for v in jupyter["volumes"]}
    assert {"/home/jovyan/notebooks", "/home/jovyan/requirements.txt", "/opt/scicatlive/scicatlive"} <= targets
    assert jupyter["depends_on"] == {"backend": {"condition": "service_healthy"}}
    _compose_accepts(path)
