"""Dev mode on a real stack: an edited route is answered without a new `up`, a new requirement rebuilds.

`scicatlive up --dev scicat-lite=COPY --watch` runs in the background the whole module, as a
developer would leave it running, on a temporary copy of services/scicat-lite.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from python_on_whales.exceptions import DockerException

from scicatlive import Stack
from scicatlive.engine import Engine
from scicatlive.names import project_name
from scicatlive.paths import services_dir
from tests.integration.conftest import leftovers, nothing_left

pytestmark = pytest.mark.docker
STACK = os.environ.get("SCICATLIVE_TEST_DEV_STACK", "hj-devmode-test")
PORT_OFFSET = int(os.environ.get("SCICATLIVE_TEST_DEV_OFFSET", "16000"))
HEALTH = f"http://127.0.0.1:{3000 + PORT_OFFSET}/api/v3/health"
PROFILE = """\
extends: lite
services:
  mariadb: {enabled: false}
  ispyb-mock: {enabled: false}
  frontend-lite: {enabled: false}
"""


@dataclass
class DevStack:
    checkout: Path
    log: Path
    project: str


def _eventually(what: str, probe: Callable[[], bool], timeout: float, log: Path) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if probe():
            return time.monotonic() - started
        time.sleep(1)
    pytest.fail(f"{what} within {timeout:.0f} s; `up --watch` said:\n{log.read_text(errors='replace')[-3000:]}")


def _answers(marker: str) -> bool:
    try:
        return marker in httpx.get(HEALTH, timeout=5).text
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def dev_stack(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    root = tmp_path_factory.mktemp("dev")
    checkout = root / "scicat-lite"
    shutil.copytree(services_dir() / "scicat-lite", checkout, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "profile.yaml").write_text(PROFILE)
    log = root / "up.log"
    command = [sys.executable, "-c", "from scicatlive.cli import main; main()", "up", "--profile", str(root / "profile.yaml"),
               "--stack", STACK, "--port-offset", str(PORT_OFFSET), "--dev", f"scicat-lite={checkout}", "--watch"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
    stack = DevStack(checkout, log, project_name(STACK))
    try:
        _eventually("the dev stack was not up and watched", lambda: "Watch enabled" in log.read_text(errors="replace")
                    and _answers('"status":"ok"'), 900, log)
        yield stack
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        Stack.existing(STACK, engine=engine).down(volumes=True)
        engine.client().image.remove(f"scicatlive/scicat-lite:dev-{STACK}", force=True)  # ours, made by --dev
    assert nothing_left(engine, stack.project), leftovers(engine, stack.project)


def _container_id(engine: Engine, project: str, service: str) -> str:
    containers = engine.client().container.list(filters={"label": f"com.docker.compose.project={project}"})
    [container] = [c for c in containers if (c.config.labels or {}).get("com.docker.compose.service") == service]
    return container.id


def test_an_edited_route_is_answered_without_a_new_up(dev_stack: DevStack, engine: Engine) -> None:
    before = _container_id(engine, dev_stack.project, "scicat-lite")
    (dev_stack.checkout / "src" / "scicat_lite" / "routes" / "health.py").write_text(
        'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/api/v3/health", tags=["health"])\n\n\n'
        '@router.get("")\ndef health() -> dict[str, str]:\n    return {"status": "ok", "edited": "in the checkout"}\n'
    )
    _eventually("the edited route was not answered", lambda: _answers("in the checkout"), 180, dev_stack.log)
    assert _container_id(engine, dev_stack.project, "scicat-lite") == before  # restarted, not recreated


def test_a_new_requirement_rebuilds_the_image(dev_stack: DevStack, engine: Engine) -> None:
    container = f"{dev_stack.project}-scicat-lite-1"
    postgres = _container_id(engine, dev_stack.project, "postgres")

    def importable() -> bool:
        try:
            engine.client().container.execute(container, ["python", "-c", "import six"])
            return True
        except DockerException:
            return False

    assert not importable()
    requirements = dev_stack.checkout / "requirements.txt"
    requirements.write_text(requirements.read_text() + "six>=1.16\n")
    _eventually("the image was not rebuilt with six", importable, 600, dev_stack.log)
    _eventually("the rebuilt service did not answer", lambda: _answers('"status":"ok"'), 300, dev_stack.log)
    assert _container_id(engine, dev_stack.project, "postgres") == postgres  # its dependency was left alone
