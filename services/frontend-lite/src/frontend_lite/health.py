"""Is the backend there? The start-up wait, and the monitor behind ``/healthz`` and fast 503s.

The monitor asks the backend's ``GET /api/v3/health`` every ``interval`` seconds. A refused
or unresolvable connection marks an outage at once; answers that do not come in time mark
one after two probes in a row (one slow answer under load is not an outage). While an
outage lasts, :class:`~frontend_lite.backend.BackendClient` fails every call at once, so
pages answer 503 immediately instead of waiting on a dead backend, and ``/healthz``
answers 503, which turns the container unhealthy. An answer that is not 2xx (the backend
is up, its database is not) makes ``/healthz`` unhealthy but leaves pages to show the
backend's own error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from .backend import BackendClient, BackendUnreachable

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"
SLOW_PROBES_FOR_OUTAGE = 2
UNHEALTHY_INTERVAL = 0.5


@dataclass(frozen=True)
class BackendHealth:
    healthy: bool
    reason: str
    checked_at: float  # time.time() of the probe

    def as_json(self, url: str) -> dict[str, object]:
        status = "ok" if self.healthy else "unhealthy"
        return {
            "status": status,
            "backend": url,
            "reason": self.reason,
            "checkedAt": self.checked_at,
        }


class BackendMonitor:
    """Probes the backend in the background and keeps the client's ``outage`` up to date."""

    def __init__(self, client: BackendClient, *, interval: float, probe_timeout: float) -> None:
        self.client = client
        self.interval = interval
        self.probe_timeout = probe_timeout
        self.health = BackendHealth(False, "not checked yet", 0.0)
        self._slow = 0

    async def probe(self) -> BackendHealth:
        try:
            response = await self.client.send("GET", HEALTH_PATH, timeout=self.probe_timeout)
        except BackendUnreachable as error:
            timed_out = error.reason.startswith("no answer in time")
            self._slow = self._slow + 1 if timed_out else SLOW_PROBES_FOR_OUTAGE
            reason = f"{error.reason} (GET {error.url}/api/v3{HEALTH_PATH})"
            if self._slow >= SLOW_PROBES_FOR_OUTAGE:
                if self.client.outage is None:
                    log.warning("backend unreachable: %s", reason)
                self.client.outage = reason
            self.health = BackendHealth(False, reason, time.time())
            return self.health
        self._slow = 0
        if self.client.outage is not None:
            log.info("backend reachable again")
        self.client.outage = None
        if response.is_success:
            self.health = BackendHealth(
                True, f"{response.status_code} from the backend", time.time()
            )
        else:
            self.health = BackendHealth(
                False,
                f"the backend reports {response.status_code}: {response.text[:200]}",
                time.time(),
            )
        return self.health

    async def run(self) -> None:
        while True:
            health = await self.probe()
            # Sooner while unhealthy: a backend that just started is seen within half a second.
            await asyncio.sleep(self.interval if health.healthy else min(self.interval, UNHEALTHY_INTERVAL))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[BackendMonitor]:
        task = asyncio.create_task(self.run(), name="backend-monitor")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class BackendNeverAnswered(Exception):
    """Start-up gave up waiting for the backend."""


def wait_for_backend(base_url: str, seconds: float, *, connect_timeout: float = 1.0) -> None:
    """Block until the backend answers anything over HTTP, or raise after ``seconds``."""
    if seconds <= 0:
        return
    deadline = time.monotonic() + seconds
    url = f"{base_url.rstrip('/')}/api/v3{HEALTH_PATH}"
    reason = "no attempt"
    with httpx.Client(timeout=httpx.Timeout(5.0, connect=connect_timeout)) as http:
        while True:
            try:
                http.get(url)
                return
            except httpx.HTTPError as error:
                reason = str(error) or type(error).__name__
            if time.monotonic() >= deadline:
                raise BackendNeverAnswered(
                    f"the backend at {base_url} did not answer within {seconds:g} s ({reason}); "
                    "start it, or point BACKEND_INTERNAL_URL (or lbBaseURL) at it"
                )
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
