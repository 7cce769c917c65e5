"""scicatlive: a SciCat + ISPyB catalogue on your laptop, in CI or in a training room.

The Python API is :class:`scicatlive.Stack` (see ``docs/python-api.md``). It is
imported on first use, so that ``import scicatlive`` and the CLI stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scicatlive.__about__ import __version__

if TYPE_CHECKING:
    from scicatlive.handle import Stack

__all__ = ["Stack", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "Stack":
        from scicatlive.handle import Stack

        return Stack
    raise AttributeError(f"module 'scicatlive' has no attribute {name!r}")
