"""MongoDB-style ObjectIds, the form upstream's user, identity and settings ids take."""

from __future__ import annotations

import itertools
import os
import re
import threading
import time

_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_lock = threading.Lock()
_PROCESS = os.urandom(5)
OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")


def object_id() -> str:
    """24 hex digits: creation time, a per-process random part and a counter."""
    with _lock:
        count = next(_counter) & 0xFFFFFF
    return (int(time.time()).to_bytes(4, "big") + _PROCESS + count.to_bytes(3, "big")).hex()


def is_object_id(value: str) -> bool:
    return bool(OBJECT_ID.match(value))
