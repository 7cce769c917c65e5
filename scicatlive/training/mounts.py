"""Host folders the Jupyter service reads at run time, bind-mounted read-only.

The notebooks import ``scicatlive`` to attach to the stack, so the host's own package is
mounted into the container (the same version as the CLI that started the stack).
The upstream image (SciCatLive's) also gets the notebooks and the requirements file the
way SciCatLive mounts its own, because it has none built in.
"""

from __future__ import annotations

from pathlib import Path

import scicatlive
from scicatlive.paths import services_dir
from scicatlive.stack.resolve import ResolvedService
from scicatlive.training.links import JUPYTER_SERVICE

PACKAGE_ROOT = "/opt/scicatlive"  # on PYTHONPATH in the container
UPSTREAM_HOME = "/home/jovyan"


def package_dir() -> Path:
    return Path(scicatlive.__file__).resolve().parent


def host_mounts(service: ResolvedService) -> list[tuple[Path, str]]:
    """(host path, container path) pairs for ``service``; none for other services."""
    if service.name != JUPYTER_SERVICE:
        return []
    mounts = [(package_dir(), f"{PACKAGE_ROOT}/scicatlive")]
    if not service.is_local:
        folder = services_dir() / JUPYTER_SERVICE
        mounts += [
            (folder / "notebooks", f"{UPSTREAM_HOME}/notebooks"),
            (folder / "requirements.txt", f"{UPSTREAM_HOME}/requirements.txt"),
        ]
    return mounts
