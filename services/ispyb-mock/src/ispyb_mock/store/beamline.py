"""The beamline's side of a collection: its setup (associated with a session), its
detectors (looked up by MXCuBE by manufacturer, model and mode), and what MXCuBE
records of a sample it centred."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..access import require_acquirer
from ..auth import CurrentUser
from ..errors import Conflict, NotFound, RuleViolation, UnknownReference
from ..models import BeamLineSetup, BLSample, BLSession, Detector
from ..schemas.acquisition import DetectorFields
from ..schemas.mxcube import BeamlineSetupIn, SampleUpdateIn
from .acquisition import writable_session
from .common import assign, fields, now
from .lookup import get_visible, proposal_of


def store_beamline_setup(db: Session, body: BeamlineSetupIn) -> BeamLineSetup:
    setup = BeamLineSetup(**body.columns(), setupDate=now(), recordTimeStamp=now())
    db.add(setup)
    db.flush()
    return setup


def associate_beamline_setup(
    db: Session, user: CurrentUser, session_id: int, setup_id: int
) -> BLSession:
    session = get_visible(db, user, BLSession, session_id)
    writable_session(db, user, session.sessionId, "sessionId")
    if db.get(BeamLineSetup, setup_id) is None:
        raise UnknownReference(f"beamLineSetupId {setup_id} does not exist", "beamLineSetupId")
    session.beamLineSetupId = setup_id
    db.flush()
    return session


def find_detector(db: Session, manufacturer: str, model: str, mode: str, kind: str) -> Detector:
    """The first detector matching every criterion given (an empty one is not a criterion);
    manufacturers compare without case, as mxcubecore upper-cases them."""
    query = select(Detector).order_by(Detector.detectorId)
    if manufacturer:
        query = query.where(func.upper(Detector.detectorManufacturer) == manufacturer.upper())
    for column, value in (
        (Detector.detectorModel, model),
        (Detector.detectorMode, mode),
        (Detector.detectorType, kind),
    ):
        if value:
            query = query.where(column == value)
    detector = db.scalar(query.limit(1))
    if detector is None:
        raise NotFound("Detector not found")
    return detector


def create_detector(db: Session, body: DetectorFields) -> Detector:
    serial = body.detectorSerialNumber
    if serial and db.scalar(select(Detector).where(Detector.detectorSerialNumber == serial)):
        raise Conflict(f"detector serial number {serial!r} is already used", "detectorSerialNumber")
    detector = Detector(**fields(body))
    db.add(detector)
    db.flush()
    return detector


def update_sample(db: Session, user: CurrentUser, sample_id: int, body: SampleUpdateIn) -> BLSample:
    """Keep what ISPyB stores of MXCuBE's ``current_lims_sample`` (centring, status...)."""
    sample = get_visible(db, user, BLSample, sample_id)
    if body.blSampleId is not None and body.blSampleId != sample_id:
        raise RuleViolation(
            f"blSampleId {body.blSampleId} differs from the sample {sample_id} of the path",
            "blSampleId",
        )
    require_acquirer(db, user, proposal_of(db, BLSample, sample_id))
    values = {
        "lastKnownCenteringPosition": body.lastKnownCenteringPosition
        or body.lastKnownCentringPosition,
        "isInSampleChanger": body.isInSampleChanger,
        "blSampleStatus": body.blSampleStatus,
        "comments": body.comments,
        "lastImageURL": body.lastImageURL,
    }
    assign(sample, {name: value for name, value in values.items() if value is not None})
    db.flush()
    return sample
