"""Where mxcubecore's adapter runs: the driver in ``tools/mxcube-driver`` and its own virtualenv.

mxcubecore pins PyTango, gevent and pydantic < 2.9, which cannot sit beside scicatlive,
so the driver runs in a virtualenv of its own (``tools/mxcube-driver/README.md``) and
scicatlive speaks to it as a subprocess. Its plan and host modules need only the
standard library and are imported here from the driver's folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

from scicatlive.errors import ConfigError
from scicatlive.paths import tools_dir

ENV_PYTHON = "SCICATLIVE_MXCUBE_PYTHON"
VENV = ".venv-mxcube"


def driver_source() -> Path:
    return tools_dir() / "mxcube-driver" / "src"


def mxcube_python(given: Path | None = None) -> Path:
    """The python of mxcubecore's virtualenv: ``given``, ``$SCICATLIVE_MXCUBE_PYTHON``,
    or ``.venv-mxcube`` in the current folder or the checkout."""
    candidates = [given] if given is not None else []
    if not candidates and os.environ.get(ENV_PYTHON):
        candidates = [Path(os.environ[ENV_PYTHON])]
    if not candidates:
        candidates = [Path.cwd() / VENV / "bin" / "python", tools_dir().parent / VENV / "bin" / "python"]
    for python in candidates:
        if python.is_file() and os.access(python, os.X_OK):
            return python
    where = ", ".join(str(p) for p in candidates)
    raise ConfigError(
        "--mxcube-python",
        f"no python of mxcubecore's virtualenv at {where}",
        hint="create it as tools/mxcube-driver/README.md says (python3.11 -m venv .venv-mxcube; "
        ".venv-mxcube/bin/pip install -r tools/mxcube-driver/requirements.txt), "
        f"then give --mxcube-python or set {ENV_PYTHON}",
    )


def driver_modules() -> tuple[ModuleType, ModuleType]:
    """``mxcube_driver.plan`` and ``mxcube_driver.host`` (standard library only)."""
    source = str(driver_source())
    if source not in sys.path:
        sys.path.append(source)
    from mxcube_driver import host, plan  # type: ignore[import-not-found]

    return plan, host
