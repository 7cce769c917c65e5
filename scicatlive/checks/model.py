"""What a check is, and what running one gives.

A check is a named function over a :class:`~scicatlive.checks.context.CheckContext`.
It returns a one-line summary when the stack is right, and raises
:class:`CheckFailed` (what was expected, what was found) when it is not, or
:class:`CheckSkipped` when it cannot apply (e.g. nothing was seeded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from scicatlive.checks.context import CheckContext

Need = Literal["docker", "ispyb", "frontend", "seeded", "jobs", "ldap", "oidc", "search"]
NEEDS: tuple[Need, ...] = ("docker", "ispyb", "frontend", "seeded", "jobs", "ldap", "oidc", "search")
# Needs that are profile features: a check with one applies only when the feature is on.
FEATURE_NEEDS: tuple[Need, ...] = ("jobs", "ldap", "oidc", "search")


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class CheckFailed(Exception):
    """The stack does not do what the check expects; the message says expected vs found."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckSkipped(Exception):
    """The check does not apply to this stack (the message says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


CheckFunction = Callable[["CheckContext"], str]


@dataclass(frozen=True)
class Check:
    """One verification: ``id`` like ``access.matrix``, its family is the part before the dot."""

    id: str
    description: str
    run: CheckFunction
    writes: bool = False
    needs: frozenset[Need] = frozenset()

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]


class CheckResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    description: str
    status: Status
    message: str
    seconds: float
    writes: bool = False


class CheckReport(BaseModel):
    """Every selected check's result, in the order they ran."""

    model_config = ConfigDict(frozen=True)

    target: dict[str, str | None]
    results: list[CheckResult]
    seconds: float

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.FAILED]

    @property
    def ok(self) -> bool:
        return not self.failed

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for r in self.results if r.status is s) for s in Status}

    def result(self, check_id: str) -> CheckResult:
        for result in self.results:
            if result.id == check_id:
                return result
        raise KeyError(check_id)
