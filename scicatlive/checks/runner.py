"""Select checks (``--only``/``--skip``/``--read-only``), run them in order, time them, collect results."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from scicatlive.checks import (
    access,
    accounts,
    consistency,
    datasets,
    frontend,
    ispyb,
    jobs,
    live,
    logins,
    search,
    services,
)
from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import (
    FEATURE_NEEDS,
    Check,
    CheckFailed,
    CheckReport,
    CheckResult,
    CheckSkipped,
    Status,
)
from scicatlive.clients.target import Target
from scicatlive.errors import ConfigError, ScicatliveError

ALL_CHECKS: tuple[Check, ...] = (
    *services.CHECKS,
    *accounts.CHECKS,
    *ispyb.CHECKS,
    *consistency.CHECKS,
    *access.CHECKS,
    *datasets.CHECKS,
    *frontend.CHECKS,
    # The feature checks run last: LDAP and OIDC logins rewrite a person's identity groups.
    *jobs.CHECKS,
    *search.CHECKS,
    *logins.CHECKS,
    *live.CHECKS,  # they write to ISPyB, which the consistency checks compare with SciCat
)


def check_ids() -> list[str]:
    return [c.id for c in ALL_CHECKS]


@dataclass(frozen=True)
class Selection:
    """Which checks run: ``only``/``skip`` take ids or families (``consistency``), comma-separated or not."""

    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    read_only: bool = False

    @classmethod
    def parse(cls, only: Iterable[str] = (), skip: Iterable[str] = (), read_only: bool = False) -> Selection:
        return cls(_split(only, "--only"), _split(skip, "--skip"), read_only)

    def checks(self) -> list[Check]:
        chosen = [c for c in ALL_CHECKS if not self.only or _matches(c, self.only)]
        return [c for c in chosen if not _matches(c, self.skip)]


def _split(values: Iterable[str], option: str) -> tuple[str, ...]:
    names = tuple(part.strip() for value in values for part in value.split(",") if part.strip())
    known = set(check_ids()) | {c.family for c in ALL_CHECKS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(option, f"unknown check id {', '.join(map(repr, unknown))}; known: {', '.join(check_ids())}")
    return names


def _matches(check: Check, names: tuple[str, ...]) -> bool:
    return check.id in names or check.family in names


@dataclass
class Runner:
    target: Target
    selection: Selection = field(default_factory=Selection)
    on_result: Callable[[CheckResult], None] | None = None

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        results = []
        for check in self.selection.checks():
            result = self._one(ctx, check)
            results.append(result)
            if self.on_result:
                self.on_result(result)
        return results

    def _one(self, ctx: CheckContext, check: Check) -> CheckResult:
        started = time.monotonic()
        reason = self._not_applicable(check)
        if reason:
            status, message = Status.SKIPPED, reason
        else:
            status, message = _call(check, ctx)
        return CheckResult(id=check.id, description=check.description, status=status, message=message,
                           seconds=round(time.monotonic() - started, 3), writes=check.writes)  # fmt: skip

    def _not_applicable(self, check: Check) -> str | None:
        if check.writes and self.selection.read_only:
            return "--read-only: this check writes"
        target = self.target
        if "docker" in check.needs and target.stack is None:
            return "not a stack started here (Docker-level check)"
        if "ispyb" in check.needs and target.ispyb_url is None:
            return "no ISPyB in the target (--ispyb-url)"
        if "frontend" in check.needs and target.frontend_url is None:
            return "no frontend in the target (--frontend-url)"
        for feature in FEATURE_NEEDS:
            if feature in check.needs and feature not in target.features:
                on = ", ".join(target.features) or "none"
                where = "the profile's `features:`" if target.stack else f"--feature {feature}"
                return f"feature {feature} is off (features on: {on}; switch it on with {where})"
        return None


def _call(check: Check, ctx: CheckContext) -> tuple[Status, str]:
    try:
        return Status.PASSED, check.run(ctx)
    except CheckFailed as error:
        return Status.FAILED, error.message
    except CheckSkipped as error:
        return Status.SKIPPED, error.message
    except ScicatliveError as error:
        return Status.FAILED, error.message
    except Exception as error:  # noqa: BLE001 -- a check's own bug must not hide the other results
        return Status.FAILED, f"the check itself broke: {type(error).__name__}: {error}"


def run_checks(
    target: Target,
    selection: Selection | None = None,
    *,
    on_result: Callable[[CheckResult], None] | None = None,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
) -> CheckReport:
    """Run the selected checks against ``target``; ``on_result`` sees each result as it comes."""
    selection = selection or Selection()
    started = time.monotonic()
    ctx = CheckContext(target, read_only=selection.read_only, transport=transport, async_transport=async_transport)
    try:
        results = Runner(target, selection, on_result).run(ctx)
    finally:
        ctx.close()
    return CheckReport(target=target.describe(), results=results, seconds=round(time.monotonic() - started, 3))
