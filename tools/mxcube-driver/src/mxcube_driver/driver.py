"""Drive mxcubecore's own py-ISPyB classes (``PyISPyBRestClient``, ``PyISPyBDataAdapter``)
the way MXCuBE's queue and collect objects do.

Only this module imports mxcubecore. Every call goes through the real adapter;
what the driver adds is the dictionaries MXCuBE would have built around them
(``mount_sample``'s robot action, ``to_collect_dict`` plus the collect object's
keys, ``store_image_in_lims``'s image, the energy scan and XRF threads' dicts).
The adapter hides failures in its log; the driver collects those log records so
that a caller sees what the server answered.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from mxcubecore.HardwareObjects.abstract.PyISPyBDataAdapter import PyISPyBDataAdapter
from mxcubecore.HardwareObjects.abstract.PyISPyBRestClient import PyISPyBRestClient
from mxcubecore.model.lims_session import Proposal

from .plan import (
    MXCUBE_TIME,
    BeamlineConfig,
    Collection,
    Connection,
    EnergyScan,
    Mount,
    XrfSpectrum,
)


def _now() -> str:
    return time.strftime(MXCUBE_TIME)


def _json(value: Any) -> Any:
    """The adapter's pydantic objects (sessions, proposals) as JSON values."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


# mxcubecore 2.149's own defects, logged by the adapter without any request being made:
# store_beamline_setup keeps the new id as "beamlineSetupId" and update_session then
# looks for "beamLineSetupId", so every beamline setup logs this.
KNOWN_DEFECTS = ("Failed to store or update session: 'Missing beamLineSetupId'",)


class _Failures(logging.Handler):
    """The adapter's and client's error records (it logs failures and returns 0 or {})."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.defects: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {record.exc_info[1]}"
        (self.defects if message in KNOWN_DEFECTS else self.messages).append(message)

    def clear(self) -> None:
        self.messages.clear()
        self.defects.clear()


class BeamlineDriver:
    def __init__(self, connection: Connection) -> None:
        root = (
            connection.rest_root
            if connection.rest_root.endswith("/")
            else connection.rest_root + "/"
        )
        self.connection = connection
        self.client = PyISPyBRestClient(root, timeout=int(connection.timeout))
        self.adapter = PyISPyBDataAdapter(self.client, connection.beamline)
        self.failures = _Failures()
        for name in ("pyispyb_adapter", "py-ispyb_client"):
            logging.getLogger(name).addHandler(self.failures)

    # -- login ---------------------------------------------------------------------

    def login(self) -> dict[str, Any]:
        """``ISPyBLims.ispyb_login``: the keycloak plugin with the user's access token.

        Without a token, py-ISPyB's dummy plugin with a password (``PyISPyBClient``'s
        login), through the REST client's own request and token store, so that refresh
        and every later call run exactly as after a keycloak login.
        """
        if self.connection.token or not self.connection.password:
            self.client.authenticate(self.connection.login, token=self.connection.token)
        else:
            body = {"plugin": "dummy", "login": self.connection.login,
                    "password": self.connection.password}  # fmt: skip
            reply = self.client.post("auth/login", json=body, skip_refresh=True)
            self.client._store_tokens(reply)  # what authenticate does with the reply
        return {"expires": self.client._token_expiry.isoformat()}  # noqa: SLF001

    def refresh(self) -> dict[str, Any]:
        """Let the token reach its refresh margin; the next request refreshes it first.

        A refresh is seen by the refresh token, which is new each time (an access token
        issued within the same second as the previous one may be identical to it).
        """
        before = self.client._refresh_token
        self.client._token_expiry = datetime.now(UTC) + timedelta(seconds=30)  # noqa: SLF001
        user = self.adapter.get_current_user_data()
        after = self.client._refresh_token
        return {"refreshed": after != before, "login": user.get("login")}

    # -- reads ---------------------------------------------------------------------

    def current_user(self) -> Any:
        return self.adapter.get_current_user_data()

    def proposals(self) -> Any:
        return _json(self.adapter.get_proposals())

    def find_proposal(self, code: str, number: str) -> Any:
        return _json(self.adapter.find_proposal(code, number))

    def sessions(self, code: str, number: str) -> Any:
        manager = self.adapter.get_sessions_by_code_and_number(
            code, number, self.connection.beamline
        )
        return _json(manager.sessions)

    def sessions_today(self, code: str, number: str) -> Any:
        found = self.adapter.find_sessions_by_proposal_and_beamline_for_today(
            code, number, self.connection.beamline
        )
        return _json(found)

    def sessions_by_username(self) -> Any:
        """MXCuBE's session list at login; creates a session for proposals without one today."""
        return _json(self.adapter.get_sessions_by_username().sessions)

    def create_session(self, proposal_id: int, code: str, number: str, title: str) -> Any:
        proposal = Proposal(proposal_id=str(proposal_id), code=code, number=number, title=title)
        return _json(self.adapter.create_session(proposal))

    def session(self, session_id: int) -> Any:
        return self.adapter.get_session(session_id)

    def samples(self, proposal_id: int) -> Any:
        return self.adapter.get_samples(proposal_id)

    def data_collection(self, collection_id: int) -> Any:
        return self.adapter.get_data_collection(collection_id)

    def find_detector(self, manufacturer: str, model: str, mode: str, kind: str = "") -> Any:
        return self.adapter.find_detector(manufacturer, model, mode, kind)

    # -- writes --------------------------------------------------------------------

    def mount(self, mount: Mount) -> Any:
        """The robot action ``mount_sample`` stores after loading a sample."""
        action = {
            "actionType": "LOAD",
            "containerLocation": mount.position,
            "dewarLocation": mount.puck_slot,
            "sampleBarcode": mount.barcode,
            "sampleId": mount.sample_id,
            "sessionId": mount.session_id,
            "startTime": mount.start or _now(),
            "endTime": mount.end or _now(),
        }
        if mount.loaded:
            action["status"] = "SUCCESS"
        else:
            action |= {"status": "ERROR", "message": "Sample was not loaded"}
        return self.adapter.store_robot_action(action)

    def beamline_setup(self, session_id: int, config: BeamlineConfig) -> Any:
        """``store_beamline_setup``; then the session is pointed at the setup as
        ``update_session`` does when MXCuBE has the setup's id under its own key."""
        setup_id = self.adapter.store_beamline_setup(session_id, config.as_mxcube())
        session = self.adapter.get_session(session_id)
        session["BeamLineSetup"] = {"beamLineSetupId": setup_id}
        updated = self.adapter.update_session(session)
        return {"beamLineSetupId": setup_id, "session": updated}

    def collect(self, collection: Collection, config: BeamlineConfig | None = None) -> Any:
        """A queue entry's collection: the group, the collection (with the beamline
        setup and detector when ``config`` is given), the first and last images, the
        sample's centring, and the final update with the run status."""
        group = self._store_group(collection)
        parameters = self._collect_dict(collection, group)
        collection_id, detector_id = self.adapter.store_data_collection(
            parameters, config.as_mxcube() if config else None
        )
        parameters["collection_id"] = collection_id
        if detector_id:
            parameters["detector_id"] = detector_id
        image_ids = [
            self.adapter.store_image(self._image(collection, parameters, frame))
            for frame in sorted(
                {collection.first_image, collection.first_image + collection.images - 1}
            )
        ]
        self.adapter.update_bl_sample(
            {
                "blSampleId": collection.sample_id,
                "lastKnownCentringPosition": collection.centring_position,
            }
        )
        parameters |= self._end_of_collection(collection)
        self.adapter.update_data_collection(parameters)
        return {
            "dataCollectionGroupId": group.get("dataCollectionGroupId"),
            "dataCollectionId": collection_id,
            "detectorId": detector_id,
            "imageIds": image_ids,
        }

    @staticmethod
    def _end_of_collection(collection: Collection) -> dict[str, Any]:
        """``update_data_collection_in_lims``: what the collect object reads from the
        beamline when the sweep is over, and the run's final status."""
        values: dict[str, Any] = {
            "status": collection.status,
            "flux": collection.flux,
            "flux_end": collection.flux,
            "totalAbsorbedDose": collection.total_absorbed_dose,
            "wavelength": collection.wavelength,
            "detectorDistance": collection.detector_distance,
            "resolution": collection.resolution,
            "transmission": collection.transmission,
            "xBeam": collection.beam_x,
            "yBeam": collection.beam_y,
            "resolutionAtCorner": collection.resolution_at_corner,
            "beamSizeAtSampleX": collection.beam_size_x,
            "beamSizeAtSampleY": collection.beam_size_y,
            "beamShape": collection.beam_shape,
            "slitGapHorizontal": collection.slit_gap_horizontal,
            "slitGapVertical": collection.slit_gap_vertical,
        }
        for number, gap in enumerate(collection.undulator_gaps[:3], 1):
            values[f"undulatorGap{number}"] = gap
        return values

    def _store_group(self, collection: Collection) -> dict[str, Any]:
        """``BaseQueueEntry.execute``: a group per task, before anything is collected."""
        group_data: dict[str, Any] = {
            "sessionId": collection.session_id,
            "experimentType": collection.experiment_type,
        }
        if collection.puck_slot is not None:
            group_data["actualContainerSlotInSC"] = collection.puck_slot
        if collection.position is not None:
            group_data["actualSampleSlotInContainer"] = collection.position
        store = self.adapter._store_data_collection_group  # noqa: SLF001 - the queue's own call
        group: dict[str, Any] = store(group_data)
        return group

    def _collect_dict(self, collection: Collection, group: dict[str, Any]) -> dict[str, Any]:
        """``to_collect_dict`` plus what the collect object adds before storing."""
        snapshots = {
            f"xtalSnapshotFullPath{i}": path for i, path in enumerate(collection.snapshots[:4], 1)
        }
        return {
            "comments": collection.comments,
            "fileinfo": {
                "directory": collection.directory,
                "prefix": collection.prefix,
                "run_number": collection.run_number,
                "suffix": collection.suffix,
                "template": collection.template,
                "archive_directory": collection.archive_directory,
                "process_directory": collection.process_directory,
            },
            "in_queue": True,
            "in_interleave": False,
            "sessionId": collection.session_id,
            "sample_reference": {
                "spacegroup": collection.space_group,
                "cell": collection.cell,
                "blSampleId": collection.sample_id,
                "sample_name": collection.sample_name,
                "acronym": collection.acronym,
            },
            "detector_distance": collection.detector_distance,
            "resolution": collection.resolution,
            "transmission": collection.transmission,
            "oscillation_sequence": [
                {
                    "exposure_time": collection.exposure_time,
                    "kappaStart": collection.kappa,
                    "phiStart": collection.phi,
                    "start_image_number": collection.first_image,
                    "number_of_images": collection.images,
                    "offset": collection.offset,
                    "start": collection.osc_start,
                    "range": collection.osc_range,
                    "number_of_passes": collection.passes,
                }
            ],
            "group_id": group,  # the queue keeps the group's whole reply as its id
            "experiment_type": collection.experiment_type,
            "motors": {},
            "status": "Running",
            "collection_start_time": collection.start or _now(),
            "synchrotronMode": collection.synchrotron_mode,
            "wavelength": collection.wavelength,
            "detectorDistance": collection.detector_distance,
            "resolutionAtCorner": collection.resolution_at_corner,
            "flux": collection.flux,
            "flux_end": collection.flux,
            "xBeam": collection.beam_x,
            "yBeam": collection.beam_y,
            "beamSizeAtSampleX": collection.beam_size_x,
            "beamSizeAtSampleY": collection.beam_size_y,
            "beamShape": collection.beam_shape,
            "actualCentringPosition": collection.centring_position,
            **snapshots,
        }

    def _image(
        self, collection: Collection, parameters: dict[str, Any], frame: int
    ) -> dict[str, Any]:
        """``store_image_in_lims``: the image of one frame."""
        template = collection.template
        return {
            "dataCollectionId": parameters["collection_id"],
            "fileName": template % frame if "%" in template else template,
            "fileLocation": collection.directory,
            "imageNumber": frame,
            "measuredIntensity": collection.flux,
            "synchrotronCurrent": collection.machine_current,
            "machineMessage": "",
            "temperature": collection.cryo_temperature,
        }

    def energy_scan(self, scan: EnergyScan) -> Any:
        """The ESRF energy scan thread: store the scan, then associate its sample."""
        stored = self.adapter.store_energy_scan(
            {
                "sessionId": scan.session_id,
                "element": scan.element,
                "startEnergy": scan.start_energy,
                "endEnergy": scan.end_energy,
                "edgeEnergy": scan.edge_energy,
                "peakEnergy": scan.peak_energy,
                "peakFPrime": scan.peak_f_prime,
                "peakFDoublePrime": scan.peak_f_double_prime,
                "inflectionEnergy": scan.inflection_energy,
                "inflectionFPrime": scan.inflection_f_prime,
                "inflectionFDoublePrime": scan.inflection_f_double_prime,
                "remoteEnergy": scan.remote_energy,
                "exposureTime": scan.exposure_time,
                "transmissionFactor": scan.transmission,
                "scanFileFullPath": scan.scan_file,
                "jpegChoochFileFullPath": scan.chooch_image,
                "fluorescenceDetector": scan.detector,
                "startTime": scan.start or _now(),
                "endTime": scan.end or _now(),
            }
        )
        result = {"energyScanId": stored["energyScanId"], "association": None}
        if scan.sample_id is not None:
            try:
                scan_id = int(stored["energyScanId"])
            except (TypeError, ValueError):
                return result
            result["association"] = self.adapter.associate_bl_sample_and_energy_scan(
                {"blSampleId": scan.sample_id, "energyScanId": scan_id}
            )
        return result

    def xrf_spectrum(self, spectrum: XrfSpectrum) -> Any:
        """``AbstractXRFSpectrum``'s spectrum dict, stored at the end of the spectrum."""
        return self.adapter.store_xfe_spectrum(
            {
                "sessionId": spectrum.session_id,
                "blSampleId": spectrum.sample_id,
                "exposureTime": spectrum.exposure_time,
                "filename": spectrum.filename,
                "scanFileFullPath": spectrum.scan_file,
                "startTime": spectrum.start or _now(),
                "endTime": spectrum.end or _now(),
                "beamTransmission": spectrum.transmission,
                "energy": spectrum.energy,
                "flux": spectrum.flux,
                "beamSizeHorizontal": spectrum.beam_size_x,
                "beamSizeVertical": spectrum.beam_size_y,
            }
        )
