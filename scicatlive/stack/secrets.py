"""Per-stack secrets: generated once, kept with mode 0600, reused afterwards."""

from __future__ import annotations

import json
import secrets as random_secrets
from collections.abc import Iterable
from pathlib import Path

from scicatlive.errors import ConfigError
from scicatlive.stack.files import write_private

ACCOUNT_PREFIX = "account."


def account_secret(username: str) -> str:
    return f"{ACCOUNT_PREFIX}{username}"


def new_secret() -> str:
    """32 URL-safe characters, free of `$` so compose interpolation leaves them alone.

    Every secret mixes upper and lower case, digits and a symbol, which strict
    password policies (OpenSearch's admin password) demand.
    """
    while True:
        candidate = random_secrets.token_urlsafe(24)
        if _mixes_every_class(candidate):
            return candidate


def _mixes_every_class(text: str) -> bool:
    return (
        any(c.isupper() for c in text)
        and any(c.islower() for c in text)
        and any(c.isdigit() for c in text)
        and any(c in "-_" for c in text)
    )


class SecretStore:
    """The secrets of one stack, backed by ``secrets.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values = self._read()
        self._dirty = False

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(str(self.path), f"cannot read the stack's secrets: {exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ConfigError(str(self.path), "the stack's secrets file is damaged")
        return data

    def ensure(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self._values:
                self._values[name] = new_secret()
                self._dirty = True

    def pin(self, name: str, value: str) -> None:
        """Store a value the profile gives (an account password)."""
        if self._values.get(name) != value:
            self._values[name] = value
            self._dirty = True

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def items(self) -> list[tuple[str, str]]:
        return sorted(self._values.items())

    def save(self) -> None:
        if self._dirty or not self.path.exists():
            write_private(self.path, json.dumps(self._values, indent=2, sort_keys=True) + "\n")
            self._dirty = False
