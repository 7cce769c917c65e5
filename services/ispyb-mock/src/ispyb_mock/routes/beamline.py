"""The beamline's side: setups associated with sessions, detectors, and what MXCuBE
records of the sample it centred (``PATCH samples/{id}``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import Db, User, Writer
from ..schemas.acquisition import DetectorFields, DetectorOut
from ..schemas.mxcube import BeamlineSetupIn, SampleUpdateIn
from ..schemas.proposals import SessionOut
from ..schemas.samples import SampleOut
from ..store import beamline as store
from .proposals import session_out
from .samples import sample_out

router = APIRouter(tags=["beamline"])


@router.post("/beamline-setups/beamline-setup", status_code=201, response_model=str)
def post_beamline_setup(body: BeamlineSetupIn, db: Db, user: User) -> str:
    """MXCuBE's ``bl_config`` as a BeamLineSetup; answers its id as a JSON string."""
    setup = store.store_beamline_setup(db, body)
    db.commit()
    return str(setup.beamLineSetupId)


@router.patch("/sessions/{sessionId}/associate-beamline-setup", response_model=SessionOut)
def associate_beamline_setup(
    sessionId: int, beamLineSetupId: Annotated[int, Query()], db: Db, user: User
) -> SessionOut:
    session = store.associate_beamline_setup(db, user, sessionId, beamLineSetupId)
    db.commit()
    return session_out(db, [session])[0]


@router.get("/detectors", response_model=DetectorOut)
def find_detector(
    db: Db,
    user: User,
    manufacturer: str = "",
    model: str = "",
    mode: str = "",
    type: str = "",  # noqa: A002 - MXCuBE's parameter name
) -> DetectorOut:
    """The first detector matching the criteria given (MXCuBE takes one object), or 404."""
    return DetectorOut.model_validate(store.find_detector(db, manufacturer, model, mode, type))


@router.post("/detectors", status_code=201, response_model=DetectorOut)
def post_detector(body: DetectorFields, db: Db, user: Writer) -> DetectorOut:
    """Register a beamline detector (scicatlive extension: py-ISPyB has no detector routes)."""
    detector = store.create_detector(db, body)
    db.commit()
    return DetectorOut.model_validate(detector)


@router.patch("/samples/{blSampleId}", response_model=SampleOut)
def patch_sample(blSampleId: int, body: SampleUpdateIn, db: Db, user: User) -> SampleOut:
    """Keep MXCuBE's last centring position and status of a sample."""
    sample = store.update_sample(db, user, blSampleId, body)
    db.commit()
    return sample_out(db, [sample])[0]
