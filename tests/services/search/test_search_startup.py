"""Start-up, as the service template says: one line on stderr, exit 2 for a configuration error,
exit 1 when the backend is still unreachable after BACKEND_WAIT_SECONDS; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[3]
SERVICES = {
    "searchapi": ("panosc_search", {"BACKEND_URL": "{backend}"}),
    "oaipmh": ("oai_provider", {"SCICAT_BACKEND_URL": "{backend}",
                                "ADMIN_USER_EMAIL": "support@scicat.eu"}),
    "landingpage": ("landing_page", {"BACKEND_URL": "{backend}"}),
}


def run(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    package = SERVICES[service][0]
    clean = {k: v for k, v in os.environ.items() if k not in (
        "BACKEND_URL", "BASE_URL", "SCICAT_BACKEND_URL", "ADMIN_USER_EMAIL")}
    return subprocess.run(
        [sys.executable, "-m", package], check=False, capture_output=True, text=True,
        timeout=60,
        env={**clean, "PYTHONPATH": str(ROOT / "services" / service / "src"), **env})


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_configuration_error_exits_2_with_one_line(service: str) -> None:
    result = run(service, {})
    assert result.returncode == 2
    assert result.stderr.startswith(f"{service}: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_an_unreachable_backend_exits_1_with_one_line(service: str) -> None:
    backend = f"http://127.0.0.1:{free_port()}"
    env = {k: v.format(backend=backend) for k, v in SERVICES[service][1].items()}
    result = run(service, {**env, "BACKEND_WAIT_SECONDS": "0"})
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{service}: the SciCat backend at {backend} did not answer")
    assert "BACKEND_WAIT_SECONDS" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_landing_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text("[1, 2")
    result = run("landingpage", {"BACKEND_URL": "http://b", "LANDING_CONFIG_FILE": str(config)})
    assert result.returncode == 2 and "not JSON" in result.stderr
