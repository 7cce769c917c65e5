"""Placeholders in service definitions: ``${secrets.x}``, ``${stack.x}``, ``${services.a.b}``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scicatlive.errors import ConfigError

PLACEHOLDER = re.compile(r"\$\{([a-z_]+)\.([A-Za-z0-9_.-]+)\}")


Lookup = Callable[[str, str], str]


@dataclass(frozen=True)
class Rendered:
    value: str
    uses_secret: bool


def secret_names(template: str) -> set[str]:
    return {m.group(2) for m in PLACEHOLDER.finditer(template) if m.group(1) == "secrets"}


def render(template: str, lookup: Lookup, *, where: str) -> Rendered:
    """Replace every placeholder; ``lookup(namespace, key)`` raises KeyError if unknown."""
    uses_secret = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal uses_secret
        namespace, key = match.group(1), match.group(2)
        if namespace == "secrets":
            uses_secret = True
        try:
            return lookup(namespace, key)
        except KeyError:
            raise ConfigError(where, f"unknown placeholder {match.group(0)}") from None

    return Rendered(PLACEHOLDER.sub(substitute, template), uses_secret)
