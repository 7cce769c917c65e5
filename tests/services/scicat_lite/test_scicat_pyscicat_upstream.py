"""pyscicat's own integration tests (``tests/tests_integration``) run against scicat-lite.

The tests come from the source distribution of the installed pyscicat version (on PyPI,
fetched with pip into a cache), or from a checkout named by ``PYSCICAT_SOURCE``. They are
run as pyscicat's CI runs them: ``BASE_URL``, ``SCICAT_USER=ingestor``,
``SCICAT_PASSWORD=aman``, with ``ingestor`` in ``ADMIN_GROUPS``.
"""

from __future__ import annotations

import importlib.metadata
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import IN_CI, free_port, serve_app

pytestmark = pytest.mark.database
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "scicatlive-tests"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pyscicat_tests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding pyscicat's ``tests/tests_integration``."""
    if os.environ.get("PYSCICAT_SOURCE"):
        return Path(os.environ["PYSCICAT_SOURCE"])
    version = importlib.metadata.version("pyscicat")
    archive = CACHE / f"pyscicat-{version}.tar.gz"
    if not archive.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--no-binary", ":all:", "--dest", str(CACHE), f"pyscicat=={version}"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if fetched.returncode != 0 or not archive.is_file():
            _unavailable(f"cannot fetch the pyscicat {version} sources: {fetched.stderr[-300:]}")
    target = tmp_path_factory.mktemp("pyscicat")
    prefix = f"pyscicat-{version}/tests/tests_integration/"
    with tarfile.open(archive) as sources:
        members = [m for m in sources.getmembers() if m.name.startswith(prefix) and m.isfile()]
        sources.extractall(target, members=members, filter="data")
    return target / f"pyscicat-{version}"


@pytest.fixture
def ci_backend(fresh_database: str, tmp_path: Path) -> Iterator[str]:
    """scicat-lite configured like the backend of pyscicat's integration-testing workflow."""
    from scicat_lite.app import create_app
    from scicat_lite.identity.accounts import FunctionalAccount
    from scicat_lite.settings import Settings

    settings = Settings.from_env(
        {
            "DATABASE_URL": fresh_database,
            "JWT_SECRET": secrets.token_hex(32),
            "PID_PREFIX": "PID.SAMPLE.PREFIX",
            "ADMIN_GROUPS": "admin,ingestor",
        }
    )
    ingestor = FunctionalAccount(
        username="ingestor", email="scicatingestor@your.site", password="aman", role="ingestor"
    )
    with serve_app(create_app(settings, accounts=[ingestor]), port=free_port()) as url:
        yield f"{url}/api/v3"


def test_pyscicat_integration_tests_pass(pyscicat_tests: Path, ci_backend: str) -> None:
    env = {
        **os.environ,
        "BASE_URL": ci_backend,
        "SCICAT_USER": "ingestor",
        "SCICAT_PASSWORD": "aman",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:scicatlive",
         "tests/tests_integration/tests_integration.py"],
        cwd=pyscicat_tests, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout, result.stdout[-2000:]
