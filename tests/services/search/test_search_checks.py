"""The search checks (search_checks.py) pass on a right stack and fail on a wrong one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from . import records
from .scicat_double import State, create_double
from .search_checks import (
    SearchCheckFailed,
    SearchCheckSkipped,
    landing_pages,
    oaipmh_complete,
    panosc_parameter,
)
from .test_landingpage import make_settings


@pytest.fixture
def backend(scicat: State) -> Iterator[TestClient]:
    scicat.published_data += records.many_published(30)
    with TestClient(create_double(scicat), base_url="http://scicat.test") as client:
        yield client


def _oai(state: State) -> TestClient:
    from oai_provider.app import create_app
    from oai_provider.settings import Settings

    settings = Settings.from_env({"SCICAT_BACKEND_URL": "http://scicat.test",
                                  "ADMIN_USER_EMAIL": "a@b.c", "RECORDS_PER_PAGE": "4"})
    return TestClient(create_app(settings, transport=httpx.ASGITransport(
        app=create_double(state))))


def test_panosc_check(backend: TestClient, searchapi: TestClient) -> None:
    summary = panosc_parameter(backend, searchapi)
    assert summary.startswith("20.500.12269/panosc-dataset1 found by photon_energy = 12400 eV "
                              "(stored as 12.4 keV)")


def test_oaipmh_check_passes_and_notices_a_missing_record(
        backend: TestClient, scicat: State) -> None:
    with _oai(scicat) as oai:
        assert "all 32 published-data records once" in oaipmh_complete(backend, oai)
    other = State()
    other.published_data = [p for p in scicat.published_data if p["doi"] != "10.5072/bulk-0007"]
    with _oai(other) as oai, pytest.raises(SearchCheckFailed, match="missing.*bulk-0007"):
        oaipmh_complete(backend, oai)
    scicat.published_api = other.published_api = False
    with _oai(other) as oai, pytest.raises(SearchCheckSkipped, match="nothing is published"):
        oaipmh_complete(backend, oai)


def test_landing_check(backend: TestClient, scicat: State, tmp_path: Path,
                       backend_transport: httpx.ASGITransport) -> None:
    from landing_page.app import create_app

    with TestClient(create_app(make_settings(tmp_path), transport=backend_transport)) as landing:
        assert "DOI pages answer with their datasets" in landing_pages(backend, landing)
    scicat.published_api = False
    with TestClient(create_app(make_settings(tmp_path), transport=backend_transport)) as landing, \
            pytest.raises(SearchCheckSkipped):
        landing_pages(backend, landing)
