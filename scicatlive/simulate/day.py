"""``simulate``: a beamline's day played through mxcubecore's own py-ISPyB adapter.

MXCuBE's side runs in the driver (``tools/mxcube-driver``, mxcubecore's own
``PyISPyBRestClient`` and ``PyISPyBDataAdapter`` in their virtualenv): log in, find the
proposal, pick today's session or create one, read the sample changer, store the
beamline setup; then, at the asked rate, for each sample taken from a puck: sometimes an
energy scan (SAD), the robot's LOAD action, the collection (group, collection, first and
last image, the sample's centring, the final update). Auto-processing is the facility's
pipeline, not MXCuBE: its results go to ISPyB's processing route a few seconds after each
successful collection, and whatever is still pending when the day ends is posted then,
so that ISPyB ends the day complete.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients.http import ApiError, Call, Session, json_body
from scicatlive.clients.target import Target
from scicatlive.domain import model as m
from scicatlive.errors import ConfigError, ServiceError
from scicatlive.seeding.recipe import Recipe, load_recipe
from scicatlive.seeding.run import account_password
from scicatlive.simulate.beamline import BeamlineDay, LoadedSample, prepare, register_detector
from scicatlive.simulate.driver import driver_modules, mxcube_python
from scicatlive.simulate.options import SimulationOptions
from scicatlive.simulate.values import DayValues, processing_body, utc_now

DEFAULT_RECIPE = "tiny"


@dataclass(frozen=True)
class Collected:
    """One collection of the day, as ISPyB took it."""

    data_collection_id: int
    natural_key: str
    run_status: str
    written: datetime  # UTC, when MXCuBE's last write of it returned
    processings: int


@dataclass
class SimulationReport:
    beamline: str
    proposal: str
    session_id: int
    planned: int
    collections: list[Collected] = field(default_factory=list)
    processings: int = 0
    robot_actions: int = 0
    energy_scans: int = 0
    seconds: float = 0.0

    @property
    def rate_per_minute(self) -> float:
        return 60.0 * len(self.collections) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "beamline": self.beamline, "proposal": self.proposal, "session_id": self.session_id,
            "planned": self.planned, "collections": len(self.collections), "processings": self.processings,
            "robot_actions": self.robot_actions, "energy_scans": self.energy_scans,
            "seconds": round(self.seconds, 1), "rate_per_minute": round(self.rate_per_minute, 2),
            "failed_collections": sum(1 for c in self.collections if "success" not in c.run_status.lower()),
        }  # fmt: skip


def simulate(
    ispyb_url: str,
    password: str,
    options: SimulationOptions,
    *,
    recipe: str | Recipe | None = None,
    stop: threading.Event | None = None,
    on_event: Callable[[str], None] | None = None,
) -> SimulationReport:
    """Play the day on the ISPyB at ``ispyb_url`` as ``options.account``; ``stop`` ends it
    early (pending processing is still posted). ``recipe`` gives the day's rates and
    pipelines (default: the stack's, else ``tiny``)."""
    python = mxcube_python(options.mxcube_python)
    loaded = recipe if isinstance(recipe, Recipe) else load_recipe(recipe or DEFAULT_RECIPE)
    with Session(ispyb_url, service=ispyb_api.SERVICE) as ispyb:
        ispyb.login(ispyb_api.login(options.account, password))
        day = prepare(ispyb, options.beamline, options.proposal)
        register_detector(ispyb, day.beamline.detector, options.beamline)
        seed = options.seed if options.seed is not None else time.time_ns() % 2**31
        player = _Day(ispyb, day, options, DayValues(loaded, day, seed), stop or threading.Event(), on_event or (lambda _: None))
        plan, host = driver_modules()
        connection = plan.Connection(rest_root=f"{ispyb_url.rstrip('/')}{ispyb_api.ISPYB_API}/", beamline=options.beamline,
                                     login=options.account, password=password)  # fmt: skip
        with host.DriverProcess(python, connection) as driver:
            return player.play(driver, host.step, password)


class _Day:
    def __init__(
        self, ispyb: Session, day: BeamlineDay, options: SimulationOptions, values: DayValues,
        stop: threading.Event, on_event: Callable[[str], None],
    ) -> None:  # fmt: skip
        self.ispyb, self.day, self.options, self.values, self.stop, self.say = ispyb, day, options, values, stop, on_event
        self.pending: list[tuple[float, int, int, m.AutoProcProgram, datetime]] = []  # (due, order, dc, run, collected)
        self.runs: dict[tuple[int, str], int] = {}
        self.order = itertools.count()  # ties in due time keep the order runs were scheduled in
        self.config = {
            "synchrotron_name": "SciCat Live Light Source", "detector_manufacturer": day.beamline.detector.manufacturer,
            "detector_model": day.beamline.detector.model, "detector_type": day.beamline.detector.detector_type,
            "undulators": ["IVU18"], "focusing_optic": "KB mirrors", "monochromator_type": "Si(111) DCM",
        }  # fmt: skip

    def call(self, name: str, **args: Any) -> Any:
        record: dict[str, Any] = self.driver.call(self.step(name, **args))
        if not record.get("ok"):
            problem = record.get("error") or "; ".join(record.get("failures") or []) or "no reason given"
            raise ServiceError(f"MXCuBE's {name!r} on {self.day.beamline.name} failed: {problem}")
        return record.get("result")

    def play(self, driver: Any, step: Callable[..., Any], password: str) -> SimulationReport:
        self.driver, self.step, self.password = driver, step, password
        started = time.monotonic()
        day, options = self.day, self.options
        self.call("login")
        self.call("current_user")
        self.call("find_proposal", code=day.code, number=day.number)
        session_id = self.session()
        self.call("session", session_id=session_id)
        self.call("samples", proposal_id=day.proposal_id)
        self.call("beamline_setup", session_id=session_id, config=self.config)
        report = self.report = SimulationReport(options.beamline, day.proposal, session_id, options.collections)
        self.say(f"{day.beamline.name}: {day.proposal}, session {session_id}, {len(day.samples)} samples in the changer; "
                 f"{options.collections} collections at {options.rate_per_minute:g}/min")  # fmt: skip
        order = list(day.samples)
        try:
            for index in range(options.collections):
                if self.wait_until(started + index * options.interval):
                    break
                if index % len(order) == 0:
                    self.values.rng.shuffle(order)
                self.collect(order[index % len(order)], session_id, report)
        finally:
            self.post_processing(everything=True)
            report.seconds = time.monotonic() - started
        return report

    def session(self) -> int:
        """Today's session of the proposal on this beamline, or a new one (as MXCuBE does)."""
        today = self.call("sessions_today", code=self.day.code, number=self.day.number) or []
        if today:
            return int(today[0]["session_id"])
        created = self.call("create_session", proposal_id=self.day.proposal_id, code=self.day.code,
                            number=self.day.number, title=self.day.title)  # fmt: skip
        self.say(f"created session {created['session_id']} of {self.day.proposal} on {self.day.beamline.name}")
        return int(created["session_id"])

    def collect(self, sample: LoadedSample, session_id: int, report: SimulationReport) -> None:
        values = self.values
        experiment = values.experiment(sample)
        run = self.next_run(sample, values.directory(sample, experiment))
        collection = values.collection(sample, experiment, run)
        if experiment == "SAD" and values.rng.random() < self.options.energy_scan_fraction:
            self.call("energy_scan", **values.energy_scan(sample, session_id))
            report.energy_scans += 1
        self.call("mount", session_id=session_id, puck_slot=sample.puck_slot, position=sample.position,
                  sample_id=sample.sample_id, barcode=sample.code)  # fmt: skip
        report.robot_actions += 1
        result = self.call("collect", **values.driver_collection(sample, collection, session_id, experiment), config=self.config)
        dc_id = int(result["dataCollectionId"])
        now = time.monotonic()
        low, high = self.options.processing_delay_seconds
        for program in collection.autoProcPrograms:
            due = now + values.processing_delay(low, high)
            heapq.heappush(self.pending, (due, next(self.order), dc_id, program, collection.endTime))
        report.collections.append(Collected(dc_id, collection.natural_key, collection.runStatus, datetime.now(UTC),
                                            len(collection.autoProcPrograms)))  # fmt: skip
        self.say(f"collected {collection.imagePrefix}_{run} ({experiment}, {collection.runStatus}) as data collection "
                 f"{dc_id}; {len(collection.autoProcPrograms)} processing runs to come")  # fmt: skip

    def next_run(self, sample: LoadedSample, directory: str) -> int:
        """The sample's next run number in today's directory (ISPyB's runs there, then ours)."""
        key = (sample.sample_id, directory)
        if key not in self.runs:
            rows = self.ispyb.run(ispyb_api.page("datacollections", f"collections of sample {sample.sample_id}",
                                                 {"blSampleId": str(sample.sample_id)})).results  # fmt: skip
            self.runs[key] = max((int(r["dataCollectionNumber"] or 0) for r in rows
                                  if r.get("imageDirectory") == directory and r.get("imagePrefix") == sample.name), default=0)  # fmt: skip
        self.runs[key] += 1
        return self.runs[key]

    def wait_until(self, moment: float) -> bool:
        """Post processing as it falls due until ``moment``; True when the day was stopped."""
        while True:
            self.post_processing(everything=False)
            now = time.monotonic()
            if now >= moment or self.stop.is_set():
                return self.stop.is_set()
            next_due = self.pending[0][0] if self.pending else moment
            self.stop.wait(max(0.0, min(moment, next_due) - now))

    def post_processing(self, *, everything: bool) -> None:
        while self.pending and (everything or self.pending[0][0] <= time.monotonic()):
            _, _, dc_id, program, collected = heapq.heappop(self.pending)
            ended = utc_now()
            body = processing_body(program, dc_id, min(collected, ended), ended)
            self.run_write(Call(f"store {program.processingPrograms} results of data collection {dc_id}", "POST",
                                f"{ispyb_api.ISPYB_API}/processings/auto-integrations", json_body, json=body))  # fmt: skip
            self.report.processings += 1

    def run_write(self, call: Call[Any]) -> Any:
        """A write of the facility's pipeline; a token that expired during a long day is renewed."""
        try:
            return self.ispyb.run(call)
        except ApiError as error:
            if error.status != 401:
                raise
        self.ispyb.login(ispyb_api.login(self.options.account, self.password))
        return self.ispyb.run(call)


def simulate_target(target: Target, options: SimulationOptions, **extra: Any) -> SimulationReport:
    """:func:`simulate` on a target's ISPyB, as the target's ``options.account``."""
    if target.ispyb_url is None:
        raise ConfigError("--ispyb-url", "a beamline writes to ISPyB, but no ISPyB was given")
    return simulate(target.ispyb_url, account_password(target, options.account), options, **extra)
