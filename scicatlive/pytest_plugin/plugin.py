"""Entry point of the pytest plugin (``pytest11``); loaded in every pytest session, so it imports little.

Options: ``--scicatlive-profile`` (start this profile, default ``lite``),
``--scicatlive-recipe`` (seed it), ``--scicatlive-url`` (or ``SCICATLIVE_URL``:
attach to a running backend instead). The fixtures (``scicat_stack``,
``scicat_client``, ``ispyb_client``) live in :mod:`scicatlive.pytest_plugin.fixtures`,
whose heavy imports happen only when a test asks for them.
"""

from __future__ import annotations

import pytest

from scicatlive.pytest_plugin.fixtures import ispyb_client, scicat_client, scicat_stack

__all__ = ["ispyb_client", "pytest_addoption", "scicat_client", "scicat_stack"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scicatlive", "SciCat + ISPyB stack fixtures (scicatlive)")
    group.addoption("--scicatlive-profile", default=None, metavar="NAME|FILE",
                    help="start this scicatlive profile for the session (default: lite)")  # fmt: skip
    group.addoption("--scicatlive-recipe", default=None, metavar="RECIPE",
                    help="seed the stack with this recipe (tiny, demo, training, large or a YAML file)")  # fmt: skip
    group.addoption("--scicatlive-url", default=None, metavar="URL",
                    help="attach to the SciCat backend at URL instead of starting a stack (env SCICATLIVE_URL)")  # fmt: skip
    group.addoption("--scicatlive-stack", default=None, metavar="NAME",
                    help="the name of the stack to start or reuse (default: scicatlive-pytest)")  # fmt: skip
