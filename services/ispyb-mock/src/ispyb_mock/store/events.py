"""What happens around a collection: robot actions, energy scans, fluorescence spectra,
and the images of a collection.

A robot action's sample sits in a puck position: ``dewarLocation`` is the puck's
slot in the beamline's sample changer and ``containerLocation`` the position in the
puck, and a named ``blSampleId`` must be the sample found there. An energy scan or
a spectrum belongs to a session and, when a sample is named, to one of its
proposal's samples.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import rules
from ..auth import CurrentUser
from ..errors import RuleViolation, UnknownReference
from ..models import (
    BLSampleHasEnergyScan,
    BLSession,
    DataCollection,
    EnergyScan,
    Image,
    MotorPosition,
    RobotAction,
    XFEFluorescenceSpectrum,
)
from ..schemas.mxcube import EnergyScanIn, EnergyScanSampleIn, ImageIn, RobotActionIn, XfeSpectrumIn
from .acquisition import sample_at, sample_of_session, writable_session
from .common import fields, now
from .lookup import get_visible


def store_robot_action(db: Session, user: CurrentUser, body: RobotActionIn) -> RobotAction:
    session = writable_session(db, user, body.sessionId, "sessionId")
    rules.check_status(body.actionType, rules.ROBOT_ACTIONS, "actionType")
    if body.actionType is None:
        raise RuleViolation(
            f"actionType is required: one of {', '.join(rules.ROBOT_ACTIONS)}", "actionType"
        )
    rules.check_status(body.status, rules.ROBOT_STATUSES, "status")
    sample_id = body.blSampleId
    if body.dewarLocation is not None and body.containerLocation is not None:
        sample = sample_at(
            db, session, body.dewarLocation, body.containerLocation,
            "dewarLocation", "containerLocation",
        )  # fmt: skip
        if sample_id is not None and sample_id != sample.blSampleId:
            raise RuleViolation(
                f"sample {sample_id} is not at position {body.containerLocation} of the puck "
                f"in slot {body.dewarLocation} (sample {sample.blSampleId} is)",
                "blSampleId",
            )
        sample_id = sample.blSampleId
    elif sample_id is not None:
        sample_of_session(db, user, session, sample_id, "blSampleId")
    else:
        raise RuleViolation(
            "a robot action needs its sample: dewarLocation and containerLocation, or blSampleId",
            "blSampleId",
        )
    start = body.startTimestamp or now()
    action = RobotAction(
        **fields(body, exclude={"sessionId", "blSampleId", "startTimestamp", "endTimestamp"}),
        blsessionId=session.sessionId,
        blsampleId=sample_id,
        startTimestamp=start,
        endTimestamp=body.endTimestamp or start,
    )
    db.add(action)
    db.flush()
    return action


def _optional_sample(
    db: Session, user: CurrentUser, session: BLSession, sample_id: int | None
) -> int | None:
    if sample_id is not None:
        sample_of_session(db, user, session, sample_id, "blSampleId")
    return sample_id


def store_energy_scan(db: Session, user: CurrentUser, body: EnergyScanIn) -> EnergyScan:
    session = writable_session(db, user, body.sessionId, "sessionId")
    scan = EnergyScan(**fields(body, exclude={"sessionId", "blSampleId"}))
    scan.sessionId = session.sessionId
    scan.blSampleId = _optional_sample(db, user, session, body.blSampleId)
    db.add(scan)
    db.flush()
    if scan.blSampleId is not None:
        db.add(BLSampleHasEnergyScan(blSampleId=scan.blSampleId, energyScanId=scan.energyScanId))
        db.flush()
    return scan


def associate_energy_scan(
    db: Session, user: CurrentUser, body: EnergyScanSampleIn
) -> BLSampleHasEnergyScan:
    """Link a scan to a sample of its session's proposal; linking twice changes nothing."""
    if body.energyScanId is None:
        raise RuleViolation("energyScanId is required", "energyScanId")
    if body.blSampleId is None:
        raise RuleViolation("blSampleId is required", "blSampleId")
    scan = db.get(EnergyScan, body.energyScanId)
    if scan is None:
        raise UnknownReference(f"energyScanId {body.energyScanId} does not exist", "energyScanId")
    session = writable_session(db, user, scan.sessionId, "energyScanId")
    sample_of_session(db, user, session, body.blSampleId, "blSampleId")
    link = db.scalar(
        select(BLSampleHasEnergyScan).where(
            BLSampleHasEnergyScan.energyScanId == scan.energyScanId,
            BLSampleHasEnergyScan.blSampleId == body.blSampleId,
        )
    )
    if link is None:
        link = BLSampleHasEnergyScan(blSampleId=body.blSampleId, energyScanId=scan.energyScanId)
        db.add(link)
    if scan.blSampleId is None:
        scan.blSampleId = body.blSampleId
    db.flush()
    return link


def store_xfe_spectrum(
    db: Session, user: CurrentUser, body: XfeSpectrumIn
) -> XFEFluorescenceSpectrum:
    session = writable_session(db, user, body.sessionId, "sessionId")
    spectrum = XFEFluorescenceSpectrum(**fields(body, exclude={"sessionId", "blSampleId"}))
    spectrum.sessionId = session.sessionId
    spectrum.blSampleId = _optional_sample(db, user, session, body.blSampleId)
    db.add(spectrum)
    db.flush()
    return spectrum


def store_image(db: Session, user: CurrentUser, body: ImageIn) -> Image:
    if body.dataCollectionId is None:
        raise RuleViolation("dataCollectionId is required", "dataCollectionId")
    collection = get_visible(db, user, DataCollection, body.dataCollectionId, "dataCollectionId")
    writable_session(db, user, collection.sessionId or 0, "dataCollectionId")
    if body.motorPositionId is not None and db.get(MotorPosition, body.motorPositionId) is None:
        raise UnknownReference(
            f"motorPositionId {body.motorPositionId} does not exist", "motorPositionId"
        )
    image = Image(**fields(body), recordTimeStamp=now())
    db.add(image)
    db.flush()
    return image
