"""Conformance: mxcubecore 2.149's own py-ISPyB classes against the mock.

The adapter runs in its own virtualenv (mxcubecore pins PyTango, gevent and
pydantic < 2.9, which cannot sit beside scicatlive's), through the reusable driver
``tools/mxcube-driver``; the mock runs in this process with uvicorn, its
``keycloak`` login plugin pointed at a stand-in OIDC provider. Everything written
is then read back through py-ISPyB's read routes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.app import create_app
from ispyb_mock.settings import OidcSettings, Settings
from ispyb_mock.users import Account, Accounts
from sqlalchemy import Engine

from scicatlive.simulate.driver import driver_source
from tests.services.ispyb_mock.conftest import PASSWORD, proposal_graph
from tests.services.ispyb_mock.harness import OidcProvider
from tests.support import serve_app
from tests.support.mxcube import mxcube_python_or_skip

pytestmark = pytest.mark.database

sys.path.insert(0, str(driver_source()))
from mxcube_driver.host import Step, play, step
from mxcube_driver.plan import (
    BeamlineConfig,
    Collection,
    Connection,
    EnergyScan,
    Mount,
    XrfSpectrum,
)

PROPOSAL = ("MX", "20260001")
SLOT, EMPTY_SLOT = 5, 6
DETECTOR = {"detectorManufacturer": "DECTRIS", "detectorModel": "EIGER2 X 16M",
            "detectorMode": "4x4", "detectorType": "HPC"}  # fmt: skip
CONFIG = BeamlineConfig(
    synchrotron_name="MAX IV",
    detector_manufacturer="dectris",
    detector_model="EIGER2 X 16M",
    detector_binning_mode="4x4",
    undulators=["IVU18"],
    focusing_optic="KB mirrors",
    monochromator_type="Si(111)",
    polarisation=0.99,
)


@pytest.fixture(scope="module")
def mxcube_python() -> Path:
    """The virtualenv with mxcubecore 2.149.0 (see tools/mxcube-driver/README.md)."""
    return mxcube_python_or_skip()


@pytest.fixture(scope="module")
def oidc() -> Iterator[OidcProvider]:
    provider = OidcProvider()
    yield provider
    provider.close()


def _graph() -> dict[str, Any]:
    """A proposal with alice as member, a session today on BioMAX, and two pucks in the
    sample changer: three samples in slot 5, one (position 1) in slot 6."""
    graph = proposal_graph(PROPOSAL[1], prefix="MXC", samples=3, pucks=2, members=("alice",))
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    graph["sessions"][0] |= {
        "startDate": today.isoformat(),
        "endDate": (today + timedelta(days=1, hours=7)).isoformat(),
    }
    pucks = graph["shippings"][0]["dewars"][0]["containers"]
    pucks[0]["sampleChangerLocation"] = str(SLOT)
    pucks[1] |= {"sampleChangerLocation": str(EMPTY_SLOT), "samples": pucks[1]["samples"][:1]}
    for puck in pucks:
        for sample in puck["samples"]:
            sample["dataCollectionGroups"] = []
    return graph


class Stack:
    def __init__(self, url: str, oidc: OidcProvider, python: Path) -> None:
        self.url = url
        self.oidc = oidc
        self.python = python
        self.admin = httpx.Client(base_url=f"{url}{API}", timeout=30)
        reply = self.admin.post("/auth/login", json={"login": "admin", "password": PASSWORD})
        self.admin.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        self.loaded = self.admin.post("/bulk/proposals", json=_graph()).json()
        detector = self.admin.post("/detectors", json=DETECTOR)
        assert detector.status_code == 201, detector.text
        self.detector_id = detector.json()["detectorId"]
        self.session_id = self.loaded["sessions"]["1"]
        self.proposal_id = self.loaded["proposalId"]
        barcode = f"MXCPK{PROPOSAL[1]}-1"
        self.samples = {
            s["location"]: s for s in self.loaded["samples"] if s["containerBarcode"] == barcode
        }

    def play(self, *steps: Step, user: str = "alice") -> list[dict[str, Any]]:
        connection = Connection(
            rest_root=f"{self.url}{API}", beamline="BioMAX", token=self.oidc.token(user)
        )
        return list(play(self.python, connection, [step("login"), *steps]))

    def get(self, path: str, **params: Any) -> Any:
        reply = self.admin.get(path, params=params)
        assert reply.status_code == 200, reply.text
        return reply.json()


@pytest.fixture
def stack(
    clean_engine: Engine, settings: Settings, oidc: OidcProvider, mxcube_python: Path
) -> Iterator[Stack]:
    settings = settings.model_copy(update={"oidc": OidcSettings(issuer=oidc.url, audience="ispyb")})
    accounts = Accounts(
        [
            Account(
                login="admin", password=PASSWORD, permissions=("all_proposals", "manage_proposals")
            )
        ]
    )
    with serve_app(create_app(settings, clean_engine, accounts)) as url:
        yield Stack(url, oidc, mxcube_python)


def _collection(stack: Stack, position: int, run: int = 1) -> Collection:
    sample = stack.samples[position]
    return Collection(
        session_id=stack.session_id,
        sample_id=sample["blSampleId"],
        sample_name=f"lyso-{position}",
        acronym="HEWL",
        directory=f"/data/visitors/biomax/{PROPOSAL[1]}/raw/lyso-{position}/",
        prefix=f"lyso-{position}",
        template=f"lyso-{position}_{run}_%05d.cbf",
        run_number=run,
        puck_slot=SLOT,
        position=position,
        osc_start=10.0,
        osc_range=0.1,
        images=3600,
        exposure_time=0.011,
        wavelength=0.9763,
        resolution=1.45,
        detector_distance=180.5,
        transmission=25.0,
        kappa=15.0,
        start="2026-03-01 09:00:00",
        centring_position="phi=10.0 phiy=0.12",
        snapshots=["/data/snapshots/lyso-1_1.png"],
    )


def _by_call(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["call"]: record for record in records}


def test_mxcube_adapter_writes_and_reads_back(stack: Stack) -> None:
    code, number = PROPOSAL
    sample = stack.samples[2]
    records = stack.play(
        step("current_user"),
        step("proposals"),
        step("find_proposal", code=code, number=number),
        step("sessions", code=code, number=number),
        step("sessions_today", code=code, number=number),
        step("session", session_id=stack.session_id),
        step("samples", proposal_id=stack.proposal_id),
        step("create_session", proposal_id=stack.proposal_id, code=code, number=number, title="t"),
        step("find_detector", manufacturer="dectris", model="EIGER2 X 16M", mode="4x4"),
        step("beamline_setup", session_id=stack.session_id, config=CONFIG),
        step("mount", Mount(stack.session_id, SLOT, 2, sample["blSampleId"], "PIN0002")),
        step("collect", _collection(stack, 2), config=CONFIG),
        step(
            "energy_scan",
            EnergyScan(
                stack.session_id,
                sample["blSampleId"],
                "Se",
                "K",
                12600.0,
                12700.0,
                12658.0,
                12660.5,
                12658.9,
                12700.0,
                start="2026-03-01 09:10:00",
                end="2026-03-01 09:12:00",
            ),
        ),  # fmt: skip
        step(
            "xrf_spectrum",
            XrfSpectrum(
                stack.session_id,
                sample["blSampleId"],
                13.5,
                2.0,
                5.0,
                start="2026-03-01 09:13:00",
                end="2026-03-01 09:13:02",
            ),
        ),  # fmt: skip
        step("refresh"),
    )
    calls = _by_call(records)
    failed = {name: (r.get("error"), r["failures"]) for name, r in calls.items() if not r["ok"]}
    assert not failed, json.dumps(failed, indent=1)[:3000]

    assert calls["current_user"]["result"]["login"] == "alice"
    assert [p["number"] for p in calls["proposals"]["result"]] == [number]
    assert calls["find_proposal"]["result"]["proposal_id"] == str(stack.proposal_id)
    assert [s["session_id"] for s in calls["sessions_today"]["result"]] == [str(stack.session_id)]
    assert calls["session"]["result"]["sessionId"] == stack.session_id
    samples = calls["samples"]["result"]
    assert sorted(
        s["sampleLocation"] for s in samples if s["containerSampleChangerLocation"] == str(SLOT)
    ) == [1, 2, 3]
    assert {s["crystalSpaceGroup"] for s in samples} == {"P43212"}
    created = calls["create_session"]["result"]
    assert created["proposal_name"] == f"{code}{number}" and created["session_id"] != str(
        stack.session_id
    )
    assert calls["find_detector"]["result"]["detectorId"] == stack.detector_id
    setup_id = calls["beamline_setup"]["result"]["beamLineSetupId"]
    assert int(setup_id) > 0
    assert int(calls["mount"]["result"]) > 0
    collected = calls["collect"]["result"]
    assert collected["detectorId"] == stack.detector_id and len(collected["imageIds"]) == 2
    assert int(calls["energy_scan"]["result"]["energyScanId"]) > 0
    assert int(calls["energy_scan"]["result"]["association"]) > 0
    assert int(calls["xrf_spectrum"]["result"]["xfeFluorescenceSpectrumId"]) > 0
    assert calls["refresh"]["result"] == {"refreshed": True, "login": "alice"}

    reread = _by_call(
        stack.play(step("data_collection", collection_id=collected["dataCollectionId"]))
    )
    assert reread["data_collection"]["result"]["endTime"]

    _read_back(stack, collected, int(setup_id), sample["blSampleId"])


def _read_back(stack: Stack, collected: dict[str, Any], setup_id: int, sample_id: int) -> None:
    """What the adapter wrote, through py-ISPyB's read routes."""
    session = stack.get(f"/sessions/{stack.session_id}")
    assert session["BeamLineSetup"]["beamLineSetupId"] == setup_id
    assert session["BeamLineSetup"]["synchrotronName"] == "MAX IV"
    assert session["BeamLineSetup"]["undulatorType1"] == "IVU18"
    assert stack.get("/sessions", proposal="".join(PROPOSAL))["total"] == 3  # 2 + created

    group_id = collected["dataCollectionGroupId"]
    groups = stack.get("/events", sessionId=stack.session_id, eventType="OSC")["results"]
    assert [
        (e["type"], e["Item"]["DataCollectionGroup"]["dataCollectionGroupId"]) for e in groups
    ] == [("dc", group_id)]
    event = stack.get("/events", dataCollectionGroupId=group_id)["results"][0]
    item = event["Item"]
    assert event["blSampleId"] == sample_id and event["sessionId"] == stack.session_id
    assert item["DataCollectionGroup"]["experimentType"] == "OSC"
    assert (item["imageDirectory"], item["imagePrefix"], item["dataCollectionNumber"]) == (
        f"/data/visitors/biomax/{PROPOSAL[1]}/raw/lyso-2/", "lyso-2", 1,
    )  # fmt: skip
    assert item["fileTemplate"] == "lyso-2_1_%05d.cbf" and item["numberOfImages"] == 3600
    assert item["axisStart"] == 10.0 and item["axisEnd"] == pytest.approx(370.0)
    assert item["rotationAxis"] == "Omega" and item["omegaStart"] == 10.0
    assert item["runStatus"] == "Data collection successful"
    assert item["detectorId"] == stack.detector_id
    assert item["Detector"]["detectorId"] == stack.detector_id  # what ISPyB holds, nested
    assert item["Detector"]["detectorModel"] == DETECTOR["detectorModel"]
    assert item["wavelength"] == pytest.approx(0.9763) and item["resolution"] == pytest.approx(1.45)
    assert item["startTime"] == "2026-03-01T09:00:00" and item["endTime"]
    assert (
        stack.get(f"/datacollections/{collected['dataCollectionId']}")["dataCollectionId"]
        == collected["dataCollectionId"]
    )

    group = stack.get("/events", dataCollectionGroupId=group_id)["results"]
    assert len(group) == 1  # the final update changed the collection, it added none

    robot = stack.get("/events", sessionId=stack.session_id, eventType="robot")["results"]
    assert [(r["Item"]["actionType"], r["Item"]["status"], r["blSampleId"]) for r in robot] == [
        ("LOAD", "SUCCESS", sample_id)
    ]
    assert (robot[0]["Item"]["dewarLocation"], robot[0]["Item"]["containerLocation"]) == (SLOT, 2)
    scans = stack.get("/events", sessionId=stack.session_id, eventType="es")["results"]
    assert scans[0]["Item"]["element"] == "Se" and scans[0]["Item"]["sampleIds"] == [sample_id]
    spectra = stack.get("/events", sessionId=stack.session_id, eventType="xrf")["results"]
    assert spectra[0]["Item"]["energy"] == 13.5 and spectra[0]["blSampleId"] == sample_id
    assert stack.get("/events", sessionId=stack.session_id)["total"] == 4  # dc, robot, es, xrf

    sample = stack.get(f"/samples/{sample_id}")
    assert sample["lastKnownCenteringPosition"] == "phi=10.0 phiy=0.12"
    assert sample["_metadata"]["datacollections"] == 1


def _refusal(record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The status and body of the refused request the adapter logged or raised."""
    text = record.get("error") or " ".join(record["failures"])
    status = int(text.split("failed with code: ")[1].split(".")[0])
    return status, json.loads(text.split(". Response: ", 1)[1])


def test_mxcube_bad_input_is_refused_with_the_field(stack: Stack) -> None:
    missing_session = _collection(stack, 1)
    missing_session = Collection(**{**missing_session.__dict__, "session_id": 999_999})
    records = stack.play(
        step("collect", missing_session),
        step("mount", Mount(stack.session_id, EMPTY_SLOT, 2, None, "PIN-none")),
        step("mount", Mount(stack.session_id, 17, 1, None, "PIN-none")),
        step("mount", Mount(stack.session_id, SLOT, 1, stack.samples[3]["blSampleId"])),
    )
    assert [r["ok"] for r in records] == [True, False, False, False, False]
    status, body = _refusal(records[1])
    assert (status, body["field"]) == (422, "sessionId") and "999999" in body["detail"]
    status, body = _refusal(records[2])
    assert (status, body["field"]) == (422, "containerLocation") and "empty" in body["detail"]
    assert _refusal(records[3])[1]["field"] == "dewarLocation"
    assert _refusal(records[4])[1]["field"] == "blSampleId"
    assert stack.get("/events", sessionId=stack.session_id)["total"] == 0  # nothing half-written
