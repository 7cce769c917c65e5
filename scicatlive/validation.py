"""Load YAML files into strict pydantic models, with errors that say where.

Profiles, seed recipes and service definitions all come through here, so a
mistake anywhere reads the same: ``file: key.path: reason``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from scicatlive.errors import ConfigError
from scicatlive.paths import display

# libyaml's loader when PyYAML has it: profiles and the catalogue's 19 definitions parse ~10× faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictModel(BaseModel):
    """Base for every model read from a user's file: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping at the top."""
    where = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(where, "file not found") from None
    except OSError as exc:
        raise ConfigError(where, f"cannot read: {exc.strerror}") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(where, f"{line}invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(where, f"invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(where, f"must be a mapping of keys to values, not {_kind(data)}")
    return data


def validate(model: type[ModelT], data: Any, source: str, prefix: str = "") -> ModelT:
    """Validate ``data`` as ``model``; raise one ConfigError naming file and key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error_to_config_error(exc, source, prefix) from None


def validation_error_to_config_error(
    exc: ValidationError, source: str, prefix: str = ""
) -> ConfigError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    key_path = _key_path(first["loc"], prefix)
    reason = _reason(first)
    if len(errors) > 1:
        reason += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    location = f"{source}: {key_path}" if key_path else source
    return ConfigError(location, reason)


def _key_path(loc: tuple[int | str, ...], prefix: str) -> str:
    parts: list[str] = [prefix] if prefix else []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item == "[key]" or item.startswith(("function-", "model-")):
            continue  # pydantic's internal validator names, not user keys
        else:
            parts.append(item)
    text = ".".join(parts)
    return text.replace(".[", "[")


def _reason(error: Any) -> str:
    kind = error["type"]
    message = str(error["msg"])
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling"
    if kind == "missing":
        return "required key is missing"
    if kind in ("value_error", "assertion_error"):
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"{_shown(error)} does not match the required pattern {pattern}"
    return f"{message[0].lower()}{message[1:]}, got {_shown(error)}"


def _shown(error: Any) -> str:
    value = error.get("input")
    if isinstance(value, (dict, list)):
        return _kind(value)
    return repr(value)


def _kind(value: Any) -> str:
    names: dict[type, str] = {dict: "a mapping", list: "a list", str: "a string"}
    return names.get(type(value), type(value).__name__)
