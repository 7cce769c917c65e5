"""Parsing helpers shared by the settings modules; every error names its variable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T")


class SettingsError(ValueError):
    """A missing or malformed environment variable; the message names it."""


def split_list(raw: str) -> list[str]:
    """A comma-separated list, trimmed, without empty entries."""
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_size(raw: str) -> int:
    """A body limit such as ``16mb``, ``512kb`` or a plain byte count."""
    text = raw.strip().lower()
    for suffix, factor in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024), ("b", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


def parsed(
    env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T, expected: str
) -> T:
    """``parse(env[name])``, ``default`` when unset; a :class:`SettingsError` when malformed."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = parse(raw)
    except ValueError:
        value = None
    if value is None or (isinstance(value, (int, float)) and value < 0):
        raise SettingsError(f"environment variable {name} must be {expected}, got {raw!r}")
    return value


def required(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "")
    if not value.strip():
        raise SettingsError(f"environment variable {name} is required: set it to {what}")
    return value
