"""A real seeded training stack: JupyterLab is healthy behind its token and every exercise runs in it.

The notebooks run inside the Jupyter container, as a trainee would run them, through the
stack's own network; a cell that raises fails its test with the notebook's error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import httpx
import pytest
from python_on_whales.exceptions import DockerException

from scicatlive import Stack
from scicatlive.engine import Engine
from scicatlive.stack.load import AccountCredentials
from scicatlive.stack.resolve import ResolvedStack
from scicatlive.training.exercises import exercises
from tests.integration.conftest import leftovers, nothing_left

pytestmark = pytest.mark.docker
STACK = os.environ.get("SCICATLIVE_TEST_TRAINING_STACK", "hj-training-test")
PORT_OFFSET = int(os.environ.get("SCICATLIVE_TEST_TRAINING_OFFSET", "16000"))

# What each exercise must have printed, beyond running without error.
EXPECTED = {
    "01-search.ipynb": ["you can see", "datasets mention", "successful processing runs"],
    "02-ingest.ipynb": ["created PID.SAMPLE.PREFIX/", "attachment: what the detector saw"],
    "03-crystal.ipynb": ["shipment ", "crystal ", "derived"],
    "04-share.ipynb": [r"\(neighbour\)\s+403 cannot read", r"\(neighbour\)\s+200 can read", r"anonymous\s+200 can read"],
}


@pytest.fixture(scope="module")
def training_stack(engine: Engine) -> Iterator[ResolvedStack]:
    handle = Stack("training", name=STACK, port_offset=PORT_OFFSET, engine=engine)
    try:
        handle.up(timeout=900)  # the profile seeds its `training` recipe on a new stack
        yield handle.resolved
    finally:
        handle.down(volumes=True)
    assert nothing_left(engine, handle.project), leftovers(engine, handle.project)


def _trainee_and_neighbour() -> tuple[AccountCredentials, AccountCredentials]:
    """The trainee in most proposals, and a neighbour who shares none of them."""
    people = [a for a in Stack.existing(STACK).credentials().accounts if a.groups and a.groups[0].startswith("mx2")]
    trainee = max(people, key=lambda a: len(a.groups))
    neighbour = next(a for a in people if not set(a.groups) & set(trainee.groups))
    return trainee, neighbour


def test_jupyter_is_healthy_and_wants_its_token(training_stack: ResolvedStack) -> None:
    url = training_stack.public_url("jupyter")
    assert url is not None and url.startswith("http://127.0.0.1:")
    token = Stack.existing(STACK).credentials().secrets["jupyter_token"]
    assert httpx.get(f"{url}/api/status", timeout=30).status_code == 403
    assert httpx.get(f"{url}/api/status", params={"token": token}, timeout=30).status_code == 200
    listing = httpx.get(f"{url}/api/contents", params={"token": token}, timeout=30).json()
    assert {e.file for e in exercises()} <= {item["name"] for item in listing["content"]}


@pytest.mark.parametrize("notebook", [e.file for e in exercises()])
def test_exercise_runs_in_jupyter(training_stack: ResolvedStack, engine: Engine, notebook: str) -> None:
    trainee, neighbour = _trainee_and_neighbour()
    try:
        printed = engine.client().container.execute(
            f"{training_stack.project}-jupyter-1",
            ["python", "-m", "scicatlive.training.run", f"/home/app/work/{notebook}"],
            envs={
                "SCICAT_USERNAME": trainee.username, "SCICAT_PASSWORD": trainee.password,
                "NEIGHBOUR_USERNAME": neighbour.username, "NEIGHBOUR_PASSWORD": neighbour.password,
            },
        )
    except DockerException as failure:
        pytest.fail(f"{notebook} broke:\n{failure.stdout}")
    assert isinstance(printed, str)
    assert f"logged in to http://scicat-lite:3000/api/v3 as {trainee.username}" in printed
    for expected in EXPECTED.get(notebook, []):
        assert re.search(expected, printed), (notebook, expected, printed)
    if notebook == "05-archive.ipynb":
        jobs_on = "rabbitmq" in training_stack.services
        assert ("finishedSuccessful" in printed) if jobs_on else ("Jobs are off on this stack: skipping" in printed), printed
