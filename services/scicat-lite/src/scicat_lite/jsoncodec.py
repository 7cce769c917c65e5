"""JSON encoding: orjson, with the standard library for what orjson refuses."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(content: Any) -> bytes:
    """orjson, or the standard library for what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.dumps(content)
    except TypeError:
        return json.dumps(content, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
