"""A collection written through the ISPyB mock's own write routes, without MXCuBE.

For what needs a new collection but not mxcubecore (the ``sync.follow`` check, tests of the
follower): the same generated values as a simulated day, stored with ``POST
/datacollections/groups`` and ``POST /datacollections`` (the service's own routes, which
share MXCuBE's store and rules) in an existing session of the proposal.
"""

from __future__ import annotations

import time
from typing import Any

from scicatlive.clients.http import Session
from scicatlive.clients.ispyb import ISPYB_API
from scicatlive.domain import model as m
from scicatlive.seeding.recipe import Recipe
from scicatlive.simulate.beamline import BeamlineDay
from scicatlive.simulate.values import DayValues


def write_collection(
    ispyb: Session, day: BeamlineDay, recipe: Recipe, *, seed: int | None = None, **columns: Any
) -> tuple[m.DataCollection, int]:
    """A finished collection on one of the day's samples; ``columns`` override its values
    (``None`` leaves a column out). Returns it and its group's id."""
    values = DayValues(recipe, day, seed=seed if seed is not None else time.time_ns() % 2**31)
    sample = values.rng.choice(day.samples)
    sessions = ispyb.expect("sessions of the proposal", "GET", f"{ISPYB_API}/sessions",
                            params={"proposal": day.proposal, "beamLineName": day.beamline.name})["results"]  # fmt: skip
    experiment = values.experiment(sample)
    directory = values.directory(sample, experiment)
    existing = ispyb.expect("runs of the sample", "GET", f"{ISPYB_API}/datacollections",
                            params={"blSampleId": str(sample.sample_id), "limit": "1000"})["results"]  # fmt: skip
    runs = (int(r.get("dataCollectionNumber") or 0) for r in existing if r.get("imageDirectory") == directory)
    collection = values.collection(sample, experiment, 1 + max(runs, default=0))
    group = ispyb.expect("store a data collection group", "POST", f"{ISPYB_API}/datacollections/groups", body={
        "sessionId": sessions[0]["sessionId"], "blSampleId": sample.sample_id, "experimentType": experiment,
        "startTime": collection.startTime.isoformat(), "endTime": collection.endTime.isoformat(),
        "actualContainerSlotInSC": sample.puck_slot, "actualSampleSlotInContainer": sample.position,
    })  # fmt: skip
    body = collection.model_dump(mode="json", exclude={"files", "published", "autoProcPrograms"}) | columns
    ispyb.expect("store a data collection", "POST", f"{ISPYB_API}/datacollections",
                 body={"dataCollectionGroupId": group["dataCollectionGroupId"], **{k: v for k, v in body.items() if v is not None}})  # fmt: skip
    return collection, int(group["dataCollectionGroupId"])
