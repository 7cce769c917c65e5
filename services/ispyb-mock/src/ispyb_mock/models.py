"""The ISPyB tables this service uses, from the community ORM ``ispyb-models``.

``ispyb-models`` maps the whole ESRF-flavour ISPyB schema (the one py-ISPyB runs
on). This module picks the MX sample-tracking and data-collection tables, adds
the unique keys the service relies on and that the ISPyB schema states only in
prose or in the DLS flavour, and lists the tables to create.
"""

from __future__ import annotations

import warnings

from sqlalchemy import Index, Table
from sqlalchemy.exc import SADeprecationWarning, SAWarning
from sqlalchemy.orm import configure_mappers

with warnings.catch_warnings():
    # The generated models predate SQLAlchemy 2 (declarative_base import path,
    # relationships re-assigned after mapping, overlapping GridInfo relationships);
    # they work, and are not ours to fix. Configuring now keeps the warnings here.
    warnings.simplefilter("ignore", SADeprecationWarning)
    warnings.simplefilter("ignore", SAWarning)
    from ispyb import models as _ispyb

    configure_mappers()

AutoProc = _ispyb.AutoProc
AutoProcIntegration = _ispyb.AutoProcIntegration
AutoProcProgram = _ispyb.AutoProcProgram
AutoProcProgramAttachment = _ispyb.AutoProcProgramAttachment
AutoProcScaling = _ispyb.AutoProcScaling
AutoProcScalingHasInt = _ispyb.AutoProcScalingHasInt
AutoProcScalingStatistics = _ispyb.AutoProcScalingStatistics
BeamLineSetup = _ispyb.BeamLineSetup
BLSample = _ispyb.BLSample
BLSampleHasEnergyScan = _ispyb.BLSampleHasEnergyScan
BLSession = _ispyb.BLSession
Container = _ispyb.Container
Crystal = _ispyb.Crystal
DataCollection = _ispyb.DataCollection
DataCollectionGroup = _ispyb.DataCollectionGroup
Detector = _ispyb.Detector
Dewar = _ispyb.Dewar
DiffractionPlan = _ispyb.DiffractionPlan
EnergyScan = _ispyb.EnergyScan
Image = _ispyb.Image
LabContact = _ispyb.LabContact
Laboratory = _ispyb.Laboratory
MotorPosition = _ispyb.MotorPosition
Person = _ispyb.Person
Proposal = _ispyb.Proposal
ProposalHasPerson = _ispyb.ProposalHasPerson
Protein = _ispyb.Protein
RobotAction = _ispyb.RobotAction
SessionHasPerson = _ispyb.SessionHasPerson
Shipping = _ispyb.Shipping
XFEFluorescenceSpectrum = _ispyb.XFEFluorescenceSpectrum
ShippingHasSession: Table = _ispyb.t_ShippingHasSession

metadata = _ispyb.Base.metadata

# Natural keys, enforced by the database so that concurrent writers cannot break them.
# The name of each index is what a duplicate-key error reports (see errors.py).
UNIQUE_KEYS: dict[str, tuple[str, str]] = {
    "uq_Proposal_proposal": ("Proposal", "proposalCode+proposalNumber"),
    "uq_Person_login": ("Person", "login"),
    "uq_Laboratory_place": ("Laboratory", "name+city+country"),
    "uq_BLSession_visit": ("BLSession", "visit_number"),
    "uq_Protein_acronym": ("Protein", "acronym"),
    "uq_Shipping_name": ("Shipping", "shippingName"),
    "uq_BLSample_location": ("BLSample", "location"),
    "uq_DataCollection_run": ("DataCollection", "dataCollectionNumber"),
    "personAndProposal": ("LabContact", "person"),
    "cardNameAndProposal": ("LabContact", "cardName"),
    "barCode": ("Dewar", "barCode"),
    "barcode": ("Container", "barcode"),
}
Index("uq_Proposal_proposal", Proposal.proposalCode, Proposal.proposalNumber, unique=True)
Index("uq_Person_login", Person.login, unique=True)
Index("uq_Laboratory_place", Laboratory.name, Laboratory.city, Laboratory.country, unique=True)
Index("uq_BLSession_visit", BLSession.proposalId, BLSession.visit_number, unique=True)
Index("uq_Protein_acronym", Protein.proposalId, Protein.acronym, unique=True)
Index("uq_Shipping_name", Shipping.proposalId, Shipping.shippingName, unique=True)
Index("uq_BLSample_location", BLSample.containerId, BLSample.location, unique=True)
Index(
    "uq_DataCollection_run",
    DataCollection.dataCollectionGroupId,
    DataCollection.imageDirectory,
    DataCollection.imagePrefix,
    DataCollection.dataCollectionNumber,
    unique=True,
)

# Lookups by sample that the ESRF schema leaves unindexed (sample pages count collections).
Index("ix_DataCollection_blSampleId", DataCollection.blSampleId)

_USED_TABLES = (
    Person,
    Laboratory,
    Proposal,
    ProposalHasPerson,
    BLSession,
    SessionHasPerson,
    Shipping,
    Dewar,
    Container,
    BLSample,
    Crystal,
    Protein,
    DiffractionPlan,
    DataCollectionGroup,
    DataCollection,
    AutoProcProgram,
    AutoProc,
    AutoProcIntegration,
    AutoProcScaling,
    AutoProcScalingHasInt,
    AutoProcScalingStatistics,
    AutoProcProgramAttachment,
    # What MXCuBE writes beside its collections, and the user-portal sync's lab contacts.
    BeamLineSetup,
    Detector,
    Image,
    MotorPosition,
    RobotAction,
    EnergyScan,
    BLSampleHasEnergyScan,
    XFEFluorescenceSpectrum,
    LabContact,
)


def schema_tables() -> list[Table]:
    """The tables used here plus every table they reference, in creation order."""
    wanted: set[str] = set()
    pending = [model.__table__.name for model in _USED_TABLES] + [ShippingHasSession.name]
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        pending.extend(fk.column.table.name for fk in metadata.tables[name].foreign_keys)
    return [table for table in metadata.sorted_tables if table.name in wanted]
