"""`scicatlive check`: verify a running stack end to end, as a facility's integration test would.

    target = Stack.existing("default").target     # or target_from_options(backend_url=...)
    report = run_checks(target, Selection.parse(only=["consistency"], read_only=True))
    report.ok, report.failed

Every check has an id (``access.matrix``), a description, whether it writes,
what it needs (``docker``, ``ispyb``, ``frontend``, ``seeded``), and gives
passed / failed / skipped with a message and its duration. See ``docs/checks.md``.
"""

from __future__ import annotations

from scicatlive.checks.model import (
    Check,
    CheckFailed,
    CheckReport,
    CheckResult,
    CheckSkipped,
    Status,
)
from scicatlive.checks.runner import ALL_CHECKS, Selection, check_ids, run_checks
from scicatlive.clients.target import Account, Target, target_from_options

__all__ = [
    "ALL_CHECKS",
    "Account",
    "Check",
    "CheckFailed",
    "CheckReport",
    "CheckResult",
    "CheckSkipped",
    "Selection",
    "Status",
    "Target",
    "check_ids",
    "run_checks",
    "target_from_options",
]
