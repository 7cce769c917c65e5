"""What a simulated beamline day is asked for: the beamline, a collection rate and a duration.

Rates and durations are read the way people write them (``2/min``, ``30/h``, ``1/s``;
``30m``, ``1h30m``, ``90s``); anything else is refused naming the option and the form
it takes.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from scicatlive.errors import ConfigError

SECONDS_PER = {"s": 1.0, "sec": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}
_RATE = re.compile(r"^\s*(?P<count>\d+(?:\.\d+)?)\s*/\s*(?P<unit>[a-z]+?)s?\s*$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")
DURATION_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}
MAX_PER_MINUTE = 600.0  # one collection every 0.1 s: more than the driver's round trips allow
MAX_DURATION = 7 * 24 * 3600.0


def parse_rate(text: str, option: str = "--rate") -> float:
    """Collections per minute from ``N/min``, ``N/h``, ``N/s`` (``N`` may be a decimal)."""
    match = _RATE.match(text.lower())
    if match is None or match["unit"] not in SECONDS_PER:
        raise ConfigError(option, f"{text!r} is not a rate like 2/min, 30/h or 1/s")
    per_minute = float(match["count"]) * 60.0 / SECONDS_PER[match["unit"]]
    if per_minute <= 0:
        raise ConfigError(option, f"{text!r} collects nothing: give a rate above 0")
    if per_minute > MAX_PER_MINUTE:
        raise ConfigError(option, f"{text!r} is more than {MAX_PER_MINUTE:.0f}/min, which one beamline cannot play")
    return per_minute


def parse_duration(text: str, option: str = "--duration") -> float:
    """Seconds from ``30m``, ``1h30m``, ``90s``, ``0.5h``."""
    compact = text.strip().lower().replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise ConfigError(option, f"{text!r} is not a duration like 30m, 1h30m or 90s")
    seconds = sum(float(number) * DURATION_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ConfigError(option, f"{text!r} is no time at all: give a duration above 0")
    if seconds > MAX_DURATION:
        raise ConfigError(option, f"{text!r} is longer than a week")
    return seconds


class SimulationOptions(BaseModel):
    """A beamline day: ``rate_per_minute`` collections for ``duration_seconds``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    beamline: str = Field(min_length=1)
    rate_per_minute: float = Field(gt=0, le=MAX_PER_MINUTE)
    duration_seconds: float = Field(gt=0, le=MAX_DURATION)
    proposal: str | None = Field(default=None, description="the proposal at the beamline (default: one with pucks loaded there)")
    account: str = Field(default="ingestor", description="who logs in to ISPyB as MXCuBE's user")
    seed: int | None = Field(default=None, description="the random seed of the day's values (default: a new day each time)")
    energy_scan_fraction: float = Field(default=0.5, ge=0, le=1, description="of SAD collections, those preceded by an energy scan")
    processing_delay_seconds: tuple[float, float] = Field(default=(2.0, 15.0), description="auto-processing finishes this long after its collection")
    mxcube_python: Path | None = Field(default=None, description="python of mxcubecore's virtualenv")

    @property
    def interval(self) -> float:
        return 60.0 / self.rate_per_minute

    @property
    def collections(self) -> int:
        """How many collections the day holds (at least one)."""
        return max(1, int(self.duration_seconds * self.rate_per_minute / 60.0 + 1e-9))
