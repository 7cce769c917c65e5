"""The two base images every local build starts from."""

from __future__ import annotations

import os

DEFAULT_SUITE = "bookworm"


def suite() -> str:
    """The Debian release of the base images (``SCICATLIVE_BASE_SUITE``)."""
    return os.environ.get("SCICATLIVE_BASE_SUITE", DEFAULT_SUITE)


def debian_image() -> str:
    """A bare Debian rootfs made by debootstrap and brought in with ``docker import``."""
    return f"scicatlive/base:{suite()}"


def python_image() -> str:
    """Debian's python3 with a virtualenv at /opt/venv, curl, tini and a user ``app``."""
    return f"scicatlive/python:{suite()}"


def base_image_for(kind: str) -> str:
    return python_image() if kind == "python" else debian_image()
