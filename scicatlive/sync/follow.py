"""``sync --follow``: map ISPyB's new and changed records into SciCat as they are written.

The follower polls ISPyB's change feed (``GET /changes?after=<cursor>``), groups each
page by proposal, reads what the changes need (:mod:`.changed`), maps and loads them
(:mod:`.apply`: the sync's graph, mapping and idempotent loader), and only then records
the page's ``next`` cursor and the feed's ``epoch`` (:mod:`.follow_state`). So:

* a restart of the follower resumes from the last page it finished; a page that was
  being loaded is loaded again, which creates nothing twice (at least once, idempotent);
* a restart of ISPyB or SciCat is waited out: the page is retried with backoff and the
  cursor does not move until it is loaded;
* a new ``epoch`` (ISPyB's database replaced), or a feed whose head is behind the recorded
  position (the same database restored from an older snapshot), starts it again from 0;
* a record SciCat or the graph rejects (a bad row, a 4xx) is reported, isolated from
  the other changes of its proposal, and skipped: it is loaded when it changes again.

Lag is the time from a record's last write in ISPyB (a collection's ``endTime``, a run's
``processingEndTime``; whole seconds) to its dataset created in SciCat, for records
written in the last day (a backlog of older data, e.g. a seed, is no live write).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from scicatlive.asyncrun import run_sync
from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.http import ApiError, AsyncSession, RetryPolicy, Unreachable
from scicatlive.clients.target import Target
from scicatlive.defaults import DEFAULT_ACCOUNT
from scicatlive.errors import ConfigError, ServiceError
from scicatlive.mapping import MappingOptions, SampleLayout
from scicatlive.seeding.run import account_password
from scicatlive.sync.apply import Applied, ChangeLoader
from scicatlive.sync.beamlines import ReferenceCache
from scicatlive.sync.changed import ChangePage, ProposalChanges, by_proposal, changes, read_changed
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.follow_state import FollowState, StateFile

log = logging.getLogger("scicatlive.sync.follow")
T = TypeVar("T")

CALL_RETRY = RetryPolicy(deadline=10.0, first_delay=0.2, max_delay=2.0)
MAX_BACKOFF = 30.0
SUMMARY_EVERY = 60.0  # seconds between "still following" lines while nothing changes
LIVE_WRITES = timedelta(days=1)
TRANSIENT_STATUS = frozenset({401, 408, 429})
BULK_ENTITIES = 3
BULK_SETTLE = 20.0


class FollowOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = DEFAULT_ACCOUNT
    poll_seconds: float = Field(default=1.0, gt=0, le=300, description="wait between polls when caught up")
    page_size: int = Field(default=200, ge=1, le=1000)
    sample_layout: SampleLayout = "hierarchical"
    restart: bool = Field(default=False, description="forget the recorded position: follow from 0")
    until_idle: bool = Field(default=False, description="stop once everything in the feed is loaded")
    concurrency: int = Field(default=8, ge=1, le=64)
    refused_login: Literal["fail", "retry"] = Field(
        default="fail",
        description="a refused login: stop (a command's usage error) or keep retrying (a service: a restored "
        "backend recreates its accounts when it restarts)",
    )


@dataclass
class FollowReport:
    state: FollowState
    seconds: float = 0.0
    pages: int = 0
    applied: Applied = field(default_factory=Applied)
    failed: int = 0


class Transient(ServiceError):
    """The page could not be loaded now; it is retried from the same cursor."""

    def __init__(self, message: str, *, relogin: bool = False) -> None:
        super().__init__(message)
        self.relogin = relogin


def follow(target: Target, state_file: StateFile, options: FollowOptions | None = None, **extra: Any) -> FollowReport:
    """Follow ISPyB into SciCat until ``stop`` is set (or, ``until_idle``, caught up).

    ``extra``: ``facility``, ``stop``, ``on_state``, ``transport`` of :func:`follow_async`.
    """
    return run_sync(follow_async(target, state_file, options, **extra))


async def follow_async(
    target: Target,
    state_file: StateFile,
    options: FollowOptions | None = None,
    *,
    facility: FacilityFacts | None = None,
    stop: threading.Event | None = None,
    on_state: Callable[[FollowState], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FollowReport:
    options = options or FollowOptions()
    if target.ispyb_url is None:
        raise ConfigError("--ispyb-url", "following reads ISPyB's change feed, but no ISPyB was given")
    password = account_password(target, options.account)
    state = state_file.load(target.backend_url, target.ispyb_url)
    if options.restart:
        state.restart(None)
    facts = facility or FacilityFacts(site=target.site)
    follower = _Follower(target, state_file, state, options, facts, stop or threading.Event(), on_state)
    async with (
        AsyncSession(target.ispyb_url, service=ispyb_api.SERVICE, concurrency=4, retry=CALL_RETRY, transport=transport) as ispyb,
        AsyncSession(target.backend_url, service=scicat_api.SERVICE, concurrency=options.concurrency, retry=CALL_RETRY, transport=transport) as scicat,
    ):  # fmt: skip
        return await follower.run(ispyb, scicat, password)


class _Follower:
    def __init__(
        self, target: Target, state_file: StateFile, state: FollowState, options: FollowOptions,
        facts: FacilityFacts, stop: threading.Event, on_state: Callable[[FollowState], None] | None,
    ) -> None:  # fmt: skip
        self.target, self.state_file, self.state, self.options = target, state_file, state, options
        self.facts, self.stop, self.on_state = facts, stop, on_state
        self.report = FollowReport(state)
        self.backoff = 0.0
        self.last_summary = 0.0
        self.first_head: int | None = None  # the feed's head at the first poll
        self.first_seen: dict[int, float] = {}  # bulk positions -> when first seen

    async def run(self, ispyb: AsyncSession, scicat: AsyncSession, password: str) -> FollowReport:
        started = time.monotonic()
        self.ispyb, self.scicat, self.password = ispyb, scicat, password
        mapping = MappingOptions(pid_prefix=self.target.seeding_pid_prefix, sample_layout=self.options.sample_layout)
        self.loader = ChangeLoader(scicat, self.facts, mapping)
        self.references = ReferenceCache()
        self.state.started, self.state.phase = datetime.now(UTC), "starting"
        self._save()
        log.info("following %s into %s from position %s", self.target.ispyb_url, self.target.backend_url, self.state.cursor)
        try:
            await self._loop()
        finally:
            self.state.phase = "stopped"
            self._save()
            self.report.seconds = time.monotonic() - started
            log.info("stopped at position %s of %s", self.state.position, self.state.head)
        return self.report

    async def _loop(self) -> None:
        logged_in = False
        while not self.stop.is_set():
            try:
                if not logged_in:
                    await self._login()
                    logged_in = True
                more = await self._one_page()
            except Transient as problem:
                logged_in = logged_in and not problem.relogin
                await self._wait_after(problem.message)
                continue
            self.backoff = 0.0
            if more:
                continue
            if self.options.until_idle:
                return
            self._maybe_summary()
            await self._sleep(self.options.poll_seconds)

    async def _login(self) -> None:
        account = self.options.account
        try:
            await self.ispyb.login(ispyb_api.login(account, self.password))
            await self.scicat.login(scicat_api.login(account, self.password))
        except ApiError as error:
            if error.status in (400, 401, 403) and self.options.refused_login == "fail":
                hint = "the follower's account must log in to both SciCat and ISPyB"
                raise ConfigError("--account", error.message, hint=hint) from None
            raise Transient(error.message, relogin=True) from None
        except Unreachable as error:
            raise Transient(error.message, relogin=True) from None

    async def _one_page(self) -> bool:
        """Load one page of changes; True when more are waiting."""
        page = await self._call(self.ispyb.run(changes(self.state.cursor, self.options.page_size)))
        replaced = self.state.epoch is not None and page.epoch != self.state.epoch
        if replaced or page.head < self.state.position:
            why = (f"its feed epoch is {page.epoch}, was {self.state.epoch}" if replaced else
                   f"its feed ends at {page.head}, before the recorded {self.state.position}: restored from a snapshot")  # fmt: skip
            log.warning("ISPyB's database was replaced (%s): following it again from position 0", why)
            self.state.restart(page.epoch)
            self.first_head = None
            return True
        self.state.epoch, self.state.head = page.epoch, page.head
        if self.first_head is None:
            self.first_head = page.head
        ready = self.settled(page)
        if ready is None:
            self._advance(page.model_copy(update={"results": [], "next": self.state.cursor}), Applied())
            await self._sleep(self.options.poll_seconds)
            return True
        page = ready
        applied = Applied()
        for changed in by_proposal(page.results):
            applied.add(await self._apply(changed))
        self._advance(page, applied)
        return page.total > len(page.results)

    def settled(self, page: ChangePage) -> ChangePage | None:
        """The page up to the first bulk load the follower has seen for less than ``BULK_SETTLE``
        seconds (None: it starts with one).

        One transaction that changed more than :data:`BULK_ENTITIES` entities is a bulk load
        (a seed, a user-portal import), whose loader maps it into SciCat itself with facts
        ISPyB does not keep (publication, log texts): the follower gives it that head start,
        then loads only what is still missing. Loads already in the feed when the follower
        started have had theirs.
        """
        now = time.monotonic()
        counts = Counter(change.position for change in page.results)
        waiting = []
        for position, number in counts.items():
            if number > BULK_ENTITIES and position > (self.first_head or 0):
                seen = self.first_seen.setdefault(position, now)
                if now - seen < BULK_SETTLE:
                    waiting.append(position)
        self.first_seen = {p: t for p, t in self.first_seen.items() if p >= self.state.position}
        if not waiting:
            return page
        ready = [change for change in page.results if change.position < min(waiting)]
        if not ready:
            return None
        last = ready[-1]
        return page.model_copy(update={"results": ready, "next": f"{last.position}:{last.type}:{last.id}", "total": len(ready) + 1})

    def _advance(self, page: ChangePage, applied: Applied) -> None:
        state = self.state
        state.cursor = page.next
        last = page.results[-1].position if page.results else int(page.next.split(":")[0])
        state.position = max(state.position, last) if not page.results else last
        state.phase, state.heartbeat, state.last_error = "following", datetime.now(UTC), None
        for kind, number in (applied.created + applied.updated).items():
            state.count(kind, number)
        for kind, lags in applied.lags.items():
            state.note_lags(kind, lags)  # type: ignore[arg-type]
        self.report.pages += 1
        self.report.applied.add(applied)
        self._save()
        if page.results:
            created = ", ".join(f"+{n} {k}" for k, n in applied.created.items() if n) or "nothing new"
            updated = ", ".join(f"{n} {k}" for k, n in applied.updated.items() if n)
            lags = applied.lags.get("raw", [])
            lag = f"; lag {max(lags):.1f} s" if lags else ""
            log.info("%d changes → %s%s%s; position %d of %d", len(page.results), created,
                     f", updated {updated}" if updated else "", lag, state.position, state.head)  # fmt: skip

    async def _apply(self, changed: ProposalChanges) -> Applied:
        try:
            return await self._call(self._read_and_load(changed))
        except Transient:
            raise
        except Exception as problem:  # one record must not stop the feed: isolated and reported
            if len(changed) > 1:
                applied = Applied()
                for part in changed.split():
                    applied.add(await self._apply(part))
                return applied
            expected = isinstance(problem, ServiceError)
            message = problem.message if isinstance(problem, ServiceError) else f"{type(problem).__name__}: {problem}"
            self.report.failed += 1
            self.state.count("skipped", 1)
            self.state.note_failure(f"{changed.describe()}: {message}")
            log.error("skipped %s: %s", changed.describe(), message, exc_info=not expected)
            return Applied()

    async def _read_and_load(self, changed: ProposalChanges) -> Applied:
        rows = await read_changed(self.ispyb, changed)
        references = await self.references.covering(self.ispyb, rows)
        applied = await self.loader.apply(rows, changed, references)
        live = LIVE_WRITES.total_seconds()
        for kind, lags in applied.lags.items():
            applied.lags[kind] = [max(0.0, lag) for lag in lags if lag <= live]
        return applied

    @staticmethod
    async def _call(awaitable: Awaitable[T]) -> T:
        """Await, turning what is worth retrying later (unreachable, 5xx, 401, 429) into Transient."""
        try:
            return await awaitable
        except Unreachable as error:
            raise Transient(error.message) from None
        except ApiError as error:
            if error.status >= 500 or error.status in TRANSIENT_STATUS:
                raise Transient(error.message, relogin=error.status == 401) from None
            raise

    async def _wait_after(self, problem: str) -> None:
        self.backoff = min(MAX_BACKOFF, max(1.0, self.backoff * 2))
        self.state.phase, self.state.last_error = "retrying", problem
        self.state.heartbeat = datetime.now(UTC)
        self._save()
        log.warning("%s; retrying in %.0f s from position %s", problem, self.backoff, self.state.cursor)
        await self._sleep(self.backoff)

    def _maybe_summary(self) -> None:
        now = time.monotonic()
        if now - self.last_summary >= SUMMARY_EVERY:
            self.last_summary = now
            log.info("%s", self.state.describe())

    async def _sleep(self, seconds: float) -> None:
        await asyncio.to_thread(self.stop.wait, seconds)

    def _save(self) -> None:
        if self.state.phase != "stopped":
            self.state.heartbeat = self.state.heartbeat or datetime.now(UTC)
        self.state_file.save(self.state)
        if self.on_state is not None:
            self.on_state(self.state)
