"""mxcubecore's own virtualenv, for the tests that drive its py-ISPyB adapter through
``tools/mxcube-driver``: found as ``scicatlive simulate`` finds it, skipped without it
except in CI, where its absence is a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from scicatlive.errors import ConfigError
from scicatlive.simulate.driver import mxcube_python
from tests.support.environment import IN_CI


def mxcube_python_or_skip() -> Path:
    """``$SCICATLIVE_MXCUBE_PYTHON``, else ``.venv-mxcube`` here or at the checkout's root."""
    try:
        return mxcube_python()
    except ConfigError as error:
        message = f"{error.reason}: create it as tools/mxcube-driver/README.md says, or set SCICATLIVE_MXCUBE_PYTHON"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
