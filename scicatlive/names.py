"""Stack names: compose's rule for project names, checked wherever a name comes in."""

from __future__ import annotations

import re

from scicatlive.errors import ConfigError

# Compose's own rule for project names, which every stack name becomes (``scicatlive-<name>``).
STACK_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,40}$"
_STACK_NAME = re.compile(STACK_NAME_PATTERN)


PROJECT_PREFIX = "scicatlive"


def project_name(stack: str) -> str:
    """The compose project of a stack, which names its containers, network and volumes."""
    return f"{PROJECT_PREFIX}-{stack}"


def check_stack_name(name: str, where: str) -> str:
    """``name`` when compose accepts it as (part of) a project name; else one ConfigError.

    ``where`` names the entry point: ``--stack``, ``SCICATLIVE_STACK``, ``file: stack.name``.
    """
    if not _STACK_NAME.match(name):
        raise ConfigError(
            where,
            f"{name!r} is not a valid stack name: use lowercase letters, digits, '-' and '_', "
            "starting with a letter or digit (at most 41 characters)",
        )
    return name
