"""One proposal's ISPyB rows → its part of the facility graph, children before parents."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from scicatlive.domain import model as m
from scicatlive.domain.derive import attachment_size, external_id, image_files
from scicatlive.sync.build import (
    IspybDataError,
    build_model,
    by_id,
    container_model,
    grouped,
    principal,
)
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.rows import ProposalRows, Row

SHELL_ORDER = {"overall": 0, "innerShell": 1, "outerShell": 2}
PROCESSING_STATUS = {1: "SUCCESS", 0: "FAILED"}
SHIFT_SECONDS = 8 * 3600


class ProposalBuilder:
    """One proposal's rows → its graph, children before parents."""

    def __init__(
        self,
        rows: ProposalRows,
        facts: FacilityFacts,
        bare: dict[int, tuple[str, m.DataCollection]],
        beamlines: dict[str, m.Beamline],
        note: Callable[[str], None],
    ) -> None:
        self.rows, self.facts, self.note = rows, facts, note
        self.bare, self.beamlines = bare, beamlines
        self.name = rows.name
        self.visits = {int(s["sessionId"]): int(s["visit_number"]) for s in rows.sessions}
        self.dewars = grouped(rows.dewars, "shippingId", "dewarId")
        self.containers = grouped(rows.containers, "dewarId", "containerId")
        self.samples = grouped(rows.samples, "containerId", "blSampleId")
        self.collections = grouped(rows.collections, "blSampleId", "dataCollectionId")

    def visit(self, session_id: Any, what: str) -> int:
        if session_id is None or int(session_id) not in self.visits:
            raise IspybDataError(
                f"ISPyB {what}: session {session_id} is not a session of {self.name}"
            )
        return self.visits[int(session_id)]

    def proposal(self) -> m.Proposal:
        row = self.rows.proposal
        pi = principal(row, self.facts)
        return build_model(
            m.Proposal, f"proposal {row['proposalId']} ({self.name})", row,
            personLogin=pi.login, members=[pi.login],
            sessions=[self.session(s) for s in sorted(self.rows.sessions, key=lambda s: int(s["visit_number"]))],
            proteins=[self.protein(p) for p in by_id(self.rows.proteins, "proteinId")],
            shippings=[self.shipping(s) for s in by_id(self.rows.shippings, "shippingId")],
            externalId=external_id(self.facts.site, "proposal", self.name),
        )  # fmt: skip

    def session(self, row: Row) -> m.BLSession:
        key = f"{self.name}-{row['visit_number']}"
        return build_model(
            m.BLSession, f"session {row['sessionId']} ({key})", row,
            persons=[], externalId=external_id(self.facts.site, "session", key),
            nbShifts=row.get("nbShifts") or shifts(row), beamLineOperator=row.get("beamLineOperator") or "",
        )  # fmt: skip

    def protein(self, row: Row) -> m.Protein:
        key = f"{self.name}/{row.get('acronym')}"
        return build_model(
            m.Protein,
            f"protein {row['proteinId']} ({key})",
            row,
            externalId=external_id(self.facts.site, "protein", key),
        )

    def shipping(self, row: Row) -> m.Shipping:
        what = f"shipping {row['shippingId']} ({row.get('shippingName')})"
        sessions = (row.get("_metadata") or {}).get("sessions", [])
        return build_model(
            m.Shipping, what, row,
            sessions=[self.visit(s, what) for s in sessions],
            dewars=[self.dewar(d) for d in self.dewars.get(int(row["shippingId"]), [])],
        )  # fmt: skip

    def dewar(self, row: Row) -> m.Dewar:
        what = f"dewar {row['dewarId']} ({row.get('barCode')})"
        return build_model(
            m.Dewar, what, row,
            firstExperiment=self.visit(row.get("firstExperimentId"), what),
            containers=[self.container(c) for c in self.containers.get(int(row["dewarId"]), [])],
        )  # fmt: skip

    def container(self, row: Row) -> m.Container:
        what = f"container {row['containerId']} ({row.get('barcode')})"
        session = None if row.get("sessionId") is None else self.visit(row["sessionId"], what)
        container = container_model(row, self.name, session, [])
        samples = [self.sample(s, container) for s in self.samples.get(int(row["containerId"]), [])]
        return container.model_copy(update={"samples": samples})

    def sample(self, row: Row, container: m.Container) -> m.BLSample:
        what = f"sample {row['blSampleId']} ({row.get('name')})"
        crystal: Row = row.get("Crystal") or {}
        acronym = (crystal.get("Protein") or {}).get("acronym")
        sample = build_model(
            m.BLSample, what, row,
            Crystal=build_model(m.Crystal, f"crystal of {what}", crystal, protein=acronym),
            DiffractionPlan=build_model(m.DiffractionPlan, f"diffraction plan of {what}", row.get("DiffractionPlan") or {}),
            dataCollectionGroups=[],
        )  # fmt: skip
        groups = grouped(
            self.collections.get(int(row["blSampleId"]), []),
            "dataCollectionGroupId",
            "dataCollectionId",
        )
        return sample.model_copy(
            update={
                "dataCollectionGroups": [
                    self.group(rows, sample, container) for rows in groups.values()
                ]
            }
        )

    def group(
        self, rows: list[Row], sample: m.BLSample, container: m.Container
    ) -> m.DataCollectionGroup:
        ref: Row = rows[0]["DataCollectionGroup"]
        what = f"data collection group {ref['dataCollectionGroupId']}"
        collections = [self.collection(int(row["dataCollectionId"])) for row in rows]
        slot = container.sampleChangerLocation or ""
        workflow: Row | None = ref.get("Workflow")  # py-ISPyB nests the group's workflow
        return build_model(
            m.DataCollectionGroup, what, ref,
            session=self.visit(ref.get("sessionId"), what),
            Workflow=None if workflow is None else build_model(
                m.Workflow, f"workflow {workflow.get('workflowId')} of {what}", workflow
            ),
            startTime=min(c.startTime for c in collections),
            endTime=max(c.endTime for c in collections),
            actualSampleBarcode=sample.code,
            actualSampleSlotInContainer=sample.location,
            actualContainerBarcode=container.barcode,
            actualContainerSlotInSC=int(slot) if slot.isdigit() else 0,
            dataCollections=collections,
        )  # fmt: skip

    def collection(self, dc_id: int) -> m.DataCollection:
        beamline, bare = self.bare[dc_id]
        programs = [
            self.program(run, dc_id)
            for run in by_id(self.rows.programs.get(dc_id, []), "autoProcProgramId")
        ]
        return bare.model_copy(
            update={
                "files": image_files(bare, self.beamlines[beamline].Detector),
                "autoProcPrograms": [p for p in programs if p is not None],
            }
        )

    def program(self, row: Row, dc_id: int) -> m.AutoProcProgram | None:
        run_id = int(row["autoProcProgramId"])
        what = (
            f"processing run {run_id} ({row.get('processingPrograms')}) of data collection {dc_id}"
        )
        status = PROCESSING_STATUS.get(row.get("processingStatus"))  # type: ignore[arg-type]
        files = by_id(self.rows.attachments.get(run_id, []), "autoProcProgramAttachmentId")
        if status is None or not files:
            self.note(
                f"ISPyB {what}: {'still running' if status is None else 'has no attachments'}: left out"
            )
            return None
        integration, auto_proc, shells = _integration_rows(row)
        statistics = [
            build_model(
                m.AutoProcScalingStatistics, f"{s.get('scalingStatisticsType')} shell of {what}", s
            )
            for s in sorted(
                shells, key=lambda s: SHELL_ORDER.get(str(s.get("scalingStatisticsType")), 3)
            )
        ]
        overall = next((s for s in statistics if s.scalingStatisticsType == "overall"), None)
        return build_model(
            m.AutoProcProgram, what, row,
            processingStatus=status,
            AutoProc=None if auto_proc is None else build_model(m.AutoProc, f"AutoProc of {what}", auto_proc),
            AutoProcIntegration=build_model(m.AutoProcIntegration, f"integration of {what}", integration),
            AutoProcScalingStatistics=statistics,
            attachments=[self.attachment(f, what, overall) for f in files],
        )  # fmt: skip

    @staticmethod
    def attachment(
        row: Row, what: str, overall: m.AutoProcScalingStatistics | None
    ) -> m.AutoProcProgramAttachment:
        name, kind = str(row.get("fileName")), str(row.get("fileType"))
        return build_model(
            m.AutoProcProgramAttachment, f"attachment {row['autoProcProgramAttachmentId']} of {what}", row,
            fileSize=attachment_size(name, kind, overall), content=None,
        )  # fmt: skip


def shifts(session: Row) -> int | None:
    """A session without ``nbShifts`` (MXCuBE creates them so): its length in 8-hour shifts."""
    try:
        start, end = (datetime.fromisoformat(str(session[key])) for key in ("startDate", "endDate"))
    except (KeyError, ValueError):
        return None  # left to the model, which names the missing field
    return max(1, math.ceil((end - start).total_seconds() / SHIFT_SECONDS))


def _integration_rows(program: Row) -> tuple[Row, Row | None, list[Row]]:
    """The run's integration, its AutoProc (if any) and its statistics shells (py-ISPyB's nesting)."""
    integrations: list[Row] = program.get("AutoProcIntegration") or [{}]
    integration = integrations[0]
    links: list[Row] = integration.get("AutoProcScalingHasInt") or []
    scaling: Row = links[0]["AutoProcScaling"] if links else {}
    return (
        integration,
        scaling.get("AutoProc"),
        list(scaling.get("AutoProcScalingStatistics") or []),
    )
