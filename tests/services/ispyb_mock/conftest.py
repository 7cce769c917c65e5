"""Fixtures for the ISPyB mock: a MariaDB database, the app, tokens, a seeded proposal."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ispyb_mock.app import create_app
from ispyb_mock.db import create_schema, make_engine
from ispyb_mock.feed.schema import change_feed, change_head
from ispyb_mock.models import schema_tables
from ispyb_mock.settings import Settings
from ispyb_mock.users import Account, Accounts
from sqlalchemy import Engine, text

from tests.support import scratch_mariadb

API = "/ispyb/api/v1"
PASSWORD = "pw-" + os.urandom(6).hex()

ACCOUNTS = {
    "admin": ("all_proposals", "manage_proposals"),
    "reader": ("all_proposals",),
    "writer": ("manage_proposals",),
    "alice": (),
    "bob": (),
    "portal": ("uportal_sync",),
}


@pytest.fixture(scope="session")
def database_url(mariadb_server: str) -> Iterator[str]:
    """A database of our own on the test server, dropped at the end."""
    with scratch_mariadb(mariadb_server, "ispyb") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_engine(engine: Engine) -> Engine:
    """The engine, with every ISPyB table emptied."""
    with engine.begin() as connection:
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in [*schema_tables(), change_feed]:
            connection.execute(table.delete())
        connection.execute(change_head.update().values(position=0))
        connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
    return engine


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret="test-secret-" + os.urandom(24).hex(),
        users_file=tmp_path / "users.json",
        site="MAXIV",
    )


@pytest.fixture
def client(clean_engine: Engine, settings: Settings) -> Iterator[TestClient]:
    accounts = Accounts(
        [
            Account(login=login, password=PASSWORD, permissions=perms)
            for login, perms in ACCOUNTS.items()
        ]
    )
    app = create_app(settings, clean_engine, accounts)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(client: TestClient) -> Callable[[str], dict[str, str]]:
    """Headers with a fresh token for one of ACCOUNTS."""
    tokens: dict[str, dict[str, str]] = {}

    def headers(login: str) -> dict[str, str]:
        if login not in tokens:
            reply = client.post(f"{API}/auth/login", json={"login": login, "password": PASSWORD})
            assert reply.status_code == 201, reply.text
            tokens[login] = {"Authorization": f"Bearer {reply.json()['token']}"}
        return tokens[login]

    return headers


START = datetime(2024, 3, 1, 8, 0, 0)


def statistics() -> list[dict[str, Any]]:
    return [
        {
            "scalingStatisticsType": "overall",
            "resolutionLimitLow": 29.5,
            "resolutionLimitHigh": 1.61,
            "rMerge": 0.106,
            "completeness": 99.8,
            "multiplicity": 36.5,
            "meanIOverSigI": 30.2,
            "ccHalf": 0.999,
            "ccAno": 0.6,
        },
        {
            "scalingStatisticsType": "innerShell",
            "resolutionLimitLow": 29.5,
            "resolutionLimitHigh": 6.35,
            "rMerge": 0.06,
            "completeness": 99.0,
            "ccHalf": 0.998,
        },
        {
            "scalingStatisticsType": "outerShell",
            "resolutionLimitLow": 1.65,
            "resolutionLimitHigh": 1.61,
            "rMerge": 0.9,
            "completeness": 98.0,
            "ccHalf": 0.55,
        },
    ]


def processing(programs: str = "XIA2_DIALS", status: str = "SUCCESS") -> dict[str, Any]:
    return {
        "processingPrograms": programs,
        "processingStatus": status,
        "processingStartTime": START.isoformat(),
        "processingEndTime": (START + timedelta(minutes=5)).isoformat(),
        "AutoProc": {
            "spaceGroup": "P 43 21 2",
            "refinedCell_a": 79.1,
            "refinedCell_b": 79.1,
            "refinedCell_c": 38.0,
            "refinedCell_alpha": 90,
            "refinedCell_beta": 90,
            "refinedCell_gamma": 90,
        },
        "AutoProcIntegration": {"startImageNumber": 1, "endImageNumber": 3600, "cell_a": 79.1},
        "AutoProcScalingStatistics": statistics(),
        "attachments": [{"fileType": "Log", "fileName": "xia2.txt", "filePath": "/data/proc/"}],
    }


def sample(
    location: int, *, with_collection: bool = True, run_status: str = "Data collection successful"
) -> dict[str, Any]:
    start = START + timedelta(minutes=10 * location)
    groups = []
    if with_collection:
        groups.append(
            {
                "session": 1,
                "experimentType": "OSC",
                "startTime": start.isoformat(),
                "endTime": (start + timedelta(minutes=2)).isoformat(),
                "dataCollections": [
                    {
                        "imageDirectory": f"/data/visitors/biomax/20240001/raw/s{location}/",
                        "imagePrefix": f"lyso-{location}",
                        "dataCollectionNumber": 1,
                        "startTime": start.isoformat(),
                        "endTime": (start + timedelta(minutes=2)).isoformat(),
                        "runStatus": run_status,
                        "numberOfImages": 3600,
                        "axisStart": 0,
                        "axisRange": 0.1,
                        "exposureTime": 0.01,
                        "wavelength": 0.976,
                        "detectorDistance": 200.0,
                        "resolution": 1.6,
                        "fileTemplate": f"lyso-{location}_1_master.h5",
                        "autoProcPrograms": [processing()],
                    }
                ],
            }
        )
    return {
        "name": f"lyso-{location}",
        "location": location,
        "code": f"PIN{location:04d}",
        "Crystal": {
            "protein": "HEWL",
            "spaceGroup": "P43212",
            "cell_a": 79.1,
            "cell_b": 79.1,
            "cell_c": 38.0,
            "cell_alpha": 90,
            "cell_beta": 90,
            "cell_gamma": 90,
        },
        "DiffractionPlan": {"experimentKind": "OSC", "requiredResolution": 1.5},
        "dataCollectionGroups": groups,
    }


def proposal_graph(
    number: str = "20240001",
    *,
    pucks: int = 1,
    samples: int = 2,
    prefix: str = "A",
    members: tuple[str, ...] = ("alice",),
) -> dict[str, Any]:
    """A proposal with two sessions, one shipment, one dewar, Unipucks of samples."""
    return {
        "proposalCode": "MX",
        "proposalNumber": number,
        "title": "Lysozyme at BioMAX",
        "Person": {
            "login": f"pi{number}",
            "givenName": "Ada",
            "familyName": "Lovelace",
            "emailAddress": "ada@example.org",
            "Laboratory": {"name": "Lund Lab", "city": "Lund", "country": "Sweden"},
        },
        "persons": [{"login": login, "givenName": login.title()} for login in members],
        "sessions": [
            {
                "visit_number": 1,
                "beamLineName": "BioMAX",
                "startDate": START.isoformat(),
                "endDate": (START + timedelta(hours=24)).isoformat(),
                "scheduled": True,
            },
            {
                "visit_number": 2,
                "beamLineName": "BioMAX",
                "startDate": (START + timedelta(days=30)).isoformat(),
                "endDate": (START + timedelta(days=31)).isoformat(),
                "scheduled": False,
            },
        ],
        "proteins": [{"acronym": "HEWL", "name": "Lysozyme", "molecularMass": 14.3}],
        "shippings": [
            {
                "shippingName": f"MX{number}-1_Shipment1",
                "shippingStatus": "processing",
                "sessions": [1],
                "dewars": [
                    {
                        "barCode": f"{prefix}DW{number}",
                        "code": "Dewar-1",
                        "dewarStatus": "processing",
                        "storageLocation": "BioMAX",
                        "firstExperiment": 1,
                        "containers": [
                            {
                                "barcode": f"{prefix}PK{number}-{p}",
                                "code": f"Puck-{p}",
                                "containerType": "Unipuck",
                                "beamlineLocation": "BioMAX",
                                "sampleChangerLocation": str(p),
                                "session": 1,
                                "samples": [sample(i) for i in range(1, samples + 1)],
                            }
                            for p in range(1, pucks + 1)
                        ],
                    }
                ],
            }
        ],
    }


@pytest.fixture
def load(
    client: TestClient, auth: Callable[[str], dict[str, str]]
) -> Callable[..., dict[str, Any]]:
    """Bulk-load a proposal graph as admin and return the result."""

    def run(graph: dict[str, Any] | None = None) -> dict[str, Any]:
        reply = client.post(
            f"{API}/bulk/proposals", json=graph or proposal_graph(), headers=auth("admin")
        )
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    return run


@pytest.fixture
def make_graph() -> Callable[..., dict[str, Any]]:
    return proposal_graph


@pytest.fixture
def make_sample() -> Callable[..., dict[str, Any]]:
    return sample


@pytest.fixture
def make_processing() -> Callable[..., dict[str, Any]]:
    return processing


@pytest.fixture
def password() -> str:
    """The password of every test account."""
    return PASSWORD
