"""The live path: MXCuBE can write into ISPyB, and what ISPyB receives reaches SciCat.

* ``ispyb.mxcube-write``: one collection written through mxcubecore's own py-ISPyB adapter
  (the ``simulate`` machinery: robot action, group, collection, images, processing) is
  readable back through py-ISPyB's read routes. It needs mxcubecore's virtualenv; without
  it the check is skipped, except in CI. On a stack that does not follow ISPyB, the check
  maps what it wrote into SciCat itself, so that ISPyB and SciCat stay consistent.
* ``sync.follow``: applies when the stack follows ISPyB (its ``follow`` feature, or a
  ``scicatlive sync --follow`` running here): a collection written to ISPyB has its raw
  dataset in SciCat within :data:`FOLLOW_BOUND_SECONDS`.
"""

from __future__ import annotations

import os
import time
from typing import Any

from scicatlive.asyncrun import run_sync
from scicatlive.checks.context import ADMIN, CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.ispyb import ISPYB_API
from scicatlive.clients.target import Target
from scicatlive.errors import ConfigError, ScicatliveError
from scicatlive.mapping import Identifiers
from scicatlive.seeding.recipe import load_recipe
from scicatlive.simulate.beamline import BeamlineDay, prepare
from scicatlive.simulate.day import DEFAULT_RECIPE
from scicatlive.simulate.direct import write_collection
from scicatlive.sync.follow_state import StateFile

FOLLOW_BOUND_SECONDS = 30.0
POLL_SECONDS = 0.5
NEEDS: frozenset[Any] = frozenset({"ispyb"})


def following(target: Target) -> str | None:
    """Who keeps SciCat up with ISPyB for this target, if anyone."""
    if "follow" in target.features:
        return "the stack's follow feature"
    files = [StateFile.for_target(target.backend_url, target.ispyb_url or "")]
    if target.stack:
        files.insert(0, StateFile.for_stack(target.stack))
    for file in files:
        try:
            state = file.read()
        except ConfigError:
            continue
        if state is not None and state.alive():
            return "scicatlive sync --follow"
    return None


def _beamline_day(ctx: CheckContext) -> BeamlineDay:
    """A beamline with pucks in its changer, and the proposal they belong to."""
    ispyb = ctx.ispyb(ADMIN)
    sessions = ispyb.expect("list sessions", "GET", f"{ISPYB_API}/sessions", params={"limit": "100"})["results"]
    for beamline in dict.fromkeys(str(s.get("beamLineName")) for s in sessions):
        try:
            return prepare(ispyb, beamline, None)
        except ConfigError:
            continue
    raise CheckSkipped("no beamline has pucks with samples in its sample changer: nothing to collect (seed the stack)")


def mxcube_write(ctx: CheckContext) -> str:
    from scicatlive.simulate import SimulationOptions, simulate
    from scicatlive.simulate.driver import mxcube_python

    ctx.require_accounts(ADMIN)
    try:
        mxcube_python()
    except ConfigError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise CheckFailed(f"CI must drive mxcubecore's adapter: {error.message}") from None
        raise CheckSkipped(f"{error.reason} (see tools/mxcube-driver/README.md)") from None
    day = _beamline_day(ctx)
    options = SimulationOptions(beamline=day.beamline.name, proposal=day.proposal, account=ADMIN,
                                rate_per_minute=600.0, duration_seconds=0.1, processing_delay_seconds=(0.0, 0.0))  # fmt: skip
    try:
        report = simulate(ctx.target.ispyb_url or "", ctx.password(ADMIN), options, recipe=load_recipe(DEFAULT_RECIPE))
    except ScicatliveError as error:
        raise CheckFailed(f"write a collection through mxcubecore's adapter: {error.message}") from None
    written = report.collections[0]
    found = ctx.ispyb(ADMIN).expect(f"read data collection {written.data_collection_id}", "GET",
                                    f"{ISPYB_API}/datacollections/{written.data_collection_id}", status=(200,))  # fmt: skip
    key = f"{found.get('imageDirectory')}{found.get('imagePrefix')}_{found.get('dataCollectionNumber')}"
    problems = [f"{name}: wrote {want!r}, read {have!r}" for name, want, have in (
        ("natural key", written.natural_key, key), ("runStatus", written.run_status, found.get("runStatus")),
        ("sessionId", report.session_id, found.get("sessionId")),
    ) if want != have]  # fmt: skip
    robot = ctx.ispyb(ADMIN).expect("list robot actions", "GET", f"{ISPYB_API}/events",
                                    params={"sessionId": str(report.session_id), "eventType": "robot", "limit": "1"})  # fmt: skip
    if not robot.get("total"):
        problems.append(f"no robot action in session {report.session_id}")
    if problems:
        raise CheckFailed(f"data collection {written.data_collection_id} read back differs: " + "; ".join(problems))
    mapped = _map_unless_followed(ctx, report.proposal, report.session_id, written.data_collection_id)
    return (f"mxcubecore's adapter wrote data collection {written.data_collection_id} ({written.natural_key}) "
            f"with its robot action and {written.processings} processing runs on {day.beamline.name}; "
            f"read back through py-ISPyB's routes; {mapped}")  # fmt: skip


def _map_unless_followed(ctx: CheckContext, proposal: str, session_id: int, dc_id: int) -> str:
    who = following(ctx.target)
    if who is not None:
        return f"{who} maps it into SciCat"
    from scicatlive.sync.apply import sync_changes
    from scicatlive.sync.changed import ProposalChanges

    changed = ProposalChanges(proposal, sessions={session_id}, collections={dc_id})
    try:
        run_sync(sync_changes(ctx.target, [changed], account=ADMIN, transport=ctx.async_transport))
    except ScicatliveError as error:
        raise CheckFailed(f"map the written collection into SciCat (the stack does not follow): {error.message}") from None
    return "mapped into SciCat by the check (the stack does not follow ISPyB)"


def sync_follow(ctx: CheckContext) -> str:
    who = following(ctx.target)
    if who is None:
        raise CheckSkipped("feature follow is off and no `scicatlive sync --follow` runs for this target")
    ctx.require_accounts(ADMIN)
    day = _beamline_day(ctx)
    ispyb = ctx.ispyb(ADMIN)
    collection, group_id = write_collection(ispyb, day, load_recipe(DEFAULT_RECIPE))
    written = time.monotonic()
    pid = Identifiers(ctx.target.site, ctx.target.seeding_pid_prefix).raw_dataset(collection)
    scicat = ctx.scicat(ADMIN)
    path = f"{scicat_api.V3}/datasets/{scicat_api.encode_pid(pid)}"
    while time.monotonic() - written < FOLLOW_BOUND_SECONDS:
        answer = scicat.send(f"read dataset {pid}", "GET", path)
        if answer.status_code == 200 and answer.content and answer.json():
            return (f"{who}: data collection {collection.natural_key} (group {group_id}) reached SciCat as {pid} "
                    f"in {time.monotonic() - written:.1f} s (bound {FOLLOW_BOUND_SECONDS:.0f} s)")  # fmt: skip
        time.sleep(POLL_SECONDS)
    raise CheckFailed(f"{who}: data collection {collection.natural_key} written to ISPyB: expected raw dataset {pid} "
                      f"in SciCat within {FOLLOW_BOUND_SECONDS:.0f} s, found none")  # fmt: skip


CHECKS = [
    Check("ispyb.mxcube-write", "a collection written through mxcubecore's py-ISPyB adapter reads back through py-ISPyB's routes",
          mxcube_write, writes=True, needs=NEEDS),
    Check("sync.follow", f"when the stack follows ISPyB, a new collection reaches SciCat within {FOLLOW_BOUND_SECONDS:.0f} s",
          sync_follow, writes=True, needs=NEEDS),
]  # fmt: skip
