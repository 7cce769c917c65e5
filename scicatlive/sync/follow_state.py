"""What a follower records after each load: its position in ISPyB's change feed, and its lag.

The state is one small JSON file, written atomically after every successful load (so
a follower killed at any moment resumes from the last position it finished: records
of a page that was being loaded are loaded again, which the idempotent loader makes
harmless). It also says how the follower is doing, for ``scicatlive status`` and the
sync service's ``/health``: its heartbeat, the feed's head, the lag from a collection
written in ISPyB to its dataset created in SciCat (p50/p95 over the last
:data:`LAG_WINDOW` loads), and the last problems.

A follower of a stack started here keeps it beside the stack's record
(``<state>/stacks/<name>/follow.json``); one of a remote target in
``<state>/follow/<hash of its URLs>.json`` or where ``--state-file`` says.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scicatlive.errors import ConfigError
from scicatlive.paths import display, state_dir
from scicatlive.stack.files import write_private

STATE_FILE = "follow.json"
LAG_WINDOW = 500  # lags kept per kind for the percentiles
FAILURES_KEPT = 20
# A follower whose heartbeat is older than this is not running any more (it beats every poll).
STALE_SECONDS = 30.0

LagKind = Literal["raw", "derived"]
Phase = Literal["starting", "following", "retrying", "stopped"]


class LagSummary(BaseModel):
    """Seconds from a record's last write in ISPyB to its dataset created in SciCat."""

    model_config = ConfigDict(frozen=True)

    count: int = 0
    p50: float | None = None
    p95: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, samples: Sequence[float]) -> LagSummary:
        if not samples:
            return cls()
        ordered = sorted(samples)
        return cls(count=len(ordered), p50=percentile(ordered, 50), p95=percentile(ordered, 95), max=ordered[-1])


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of sorted values (what is quoted for lags: an observed value)."""
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return round(ordered[rank - 1], 3)


class FollowState(BaseModel):
    """The follower's position and health; ``cursor`` and ``epoch`` are what it resumes from."""

    model_config = ConfigDict(extra="ignore")

    version: int = 1
    backend_url: str
    ispyb_url: str
    epoch: str | None = None
    cursor: str = "0"
    position: int = Field(default=0, description="the feed position of the last change loaded")
    head: int = Field(default=0, description="the feed's last position when it was last read")
    phase: Phase = "starting"
    started: datetime | None = None
    heartbeat: datetime | None = None
    pid: int | None = None
    loaded: dict[str, int] = Field(default_factory=dict, description="records created or updated, by kind")
    lag_samples: dict[str, list[float]] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)
    last_error: str | None = None

    @property
    def behind(self) -> int:
        """Feed positions not loaded yet (head − position)."""
        return max(0, self.head - self.position)

    def lag(self, kind: LagKind) -> LagSummary:
        return LagSummary.of(self.lag_samples.get(kind, []))

    def note_lags(self, kind: LagKind, lags: Sequence[float]) -> None:
        if lags:
            kept = [*self.lag_samples.get(kind, []), *(round(v, 3) for v in lags)]
            self.lag_samples[kind] = kept[-LAG_WINDOW:]

    def count(self, kind: str, number: int) -> None:
        if number:
            self.loaded[kind] = self.loaded.get(kind, 0) + number

    def note_failure(self, message: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        self.failures = [*self.failures, f"{stamp} {message}"][-FAILURES_KEPT:]

    def restart(self, epoch: str | None) -> None:
        """Start the feed again from its beginning (a new database: a new epoch)."""
        self.epoch, self.cursor, self.position, self.head = epoch, "0", 0, 0

    def alive(self, now: datetime | None = None) -> bool:
        """The follower beat recently (and did not say it stopped)."""
        if self.phase == "stopped" or self.heartbeat is None:
            return False
        moment = now or datetime.now(UTC)
        return (moment - self.heartbeat).total_seconds() <= STALE_SECONDS

    def summary(self) -> dict[str, object]:
        """What ``status`` and ``/health`` show (no lag samples)."""
        return {
            "phase": self.phase if self.phase == "stopped" or self.alive() else "not running",
            "position": self.position,
            "head": self.head,
            "behind": self.behind,
            "epoch": self.epoch,
            "heartbeat": self.heartbeat.isoformat(timespec="seconds") if self.heartbeat else None,
            "loaded": dict(self.loaded),
            "lag_seconds": {kind: self.lag(kind).model_dump() for kind in ("raw", "derived")},
            "last_error": self.last_error,
            "failures": self.failures[-5:],
        }

    def describe(self) -> str:
        """One line: where the follower is and how far behind."""
        raw = self.lag("raw")
        lag = f"lag p50 {raw.p50:.1f} s, p95 {raw.p95:.1f} s over {raw.count}" if raw.count else "no lag measured yet"
        phase = self.summary()["phase"]
        error = f"; last error: {self.last_error}" if self.last_error and phase == "retrying" else ""
        return f"{phase}: position {self.position} of {self.head} ({self.behind} behind), {lag}{error}"


class StateFile:
    """Where one follower's state lives; reads and writes it atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_stack(cls, stack: str) -> StateFile:
        from scicatlive.stack.record import StackPaths

        return cls(StackPaths.for_stack(stack).root / STATE_FILE)

    @classmethod
    def for_target(cls, backend_url: str, ispyb_url: str) -> StateFile:
        key = hashlib.sha256(f"{backend_url}\n{ispyb_url}".encode()).hexdigest()[:16]
        return cls(state_dir() / "follow" / f"{key}.json")

    def read(self) -> FollowState | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise ConfigError(display(self.path), f"cannot read the follower's state: {error.strerror}") from None
        try:
            return FollowState.model_validate_json(text)
        except ValidationError as error:
            raise ConfigError(
                display(self.path), f"damaged follower state ({error.error_count()} problems)",
                hint="remove it to follow ISPyB again from its beginning (loading again duplicates nothing)",
            ) from None

    def load(self, backend_url: str, ispyb_url: str) -> FollowState:
        """The recorded state of a follower of these two URLs, or a new one at position 0."""
        found = self.read()
        if found is None:
            return FollowState(backend_url=backend_url, ispyb_url=ispyb_url)
        if (found.backend_url, found.ispyb_url) != (backend_url, ispyb_url):
            raise ConfigError(
                display(self.path),
                f"this state follows {found.ispyb_url} into {found.backend_url}, "
                f"not {ispyb_url} into {backend_url}",
                hint="give another --state-file, or remove this one to start again from 0",
            )
        return found

    def save(self, state: FollowState) -> None:
        state.pid = os.getpid()
        write_private(self.path, json.dumps(state.model_dump(mode="json"), indent=1) + "\n")
