"""The errors scicatlive expects to happen, and reports in one line.

Everything a user can cause (a bad profile, a busy port, Docker down) raises a
subclass of :class:`ScicatliveError`; the CLI prints its message and exits with
its ``exit_code``. Anything else is a bug and gets a traceback.

    ScicatliveError
    ├── ConfigError        a profile, recipe or service definition is invalid
    ├── EngineError        the Docker engine or compose cannot do what was asked
    │   └── EngineUnreachable
    ├── PortConflict       a host port the stack needs is taken
    ├── ImageError         an image cannot be built, bootstrapped, pulled or moved
    ├── StackError         the stack did not come up, or is not there
    └── ServiceError       a running service rejected a request
"""

from __future__ import annotations


class ScicatliveError(Exception):
    """An expected failure, reported to the user without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class ConfigError(ScicatliveError):
    """A profile, recipe or service definition is invalid.

    ``location`` is ``file: key.path`` so the user knows exactly where to look.
    """

    exit_code = 2

    def __init__(self, location: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"{location}: {reason}" if location else reason, hint=hint)
        self.location = location
        self.reason = reason


class EngineError(ScicatliveError):
    """The Docker engine or compose refused or failed a command."""


class EngineUnreachable(EngineError):
    """No Docker engine answers."""


class PortConflict(ScicatliveError):
    """A host port needed by the stack is already in use."""


class ImageError(ScicatliveError):
    """An image cannot be built, bootstrapped, pulled, saved or loaded."""


class StackError(ScicatliveError):
    """The stack did not reach a healthy state, or does not exist."""


class ServiceError(ScicatliveError):
    """A running service answered a request with an error."""
