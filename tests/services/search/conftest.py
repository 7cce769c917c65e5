"""The search services in-process, each reading the recorded SciCat double over ASGI."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from .scicat_double import State, create_double


@pytest.fixture
def scicat() -> State:
    return State()


@pytest.fixture
def backend_transport(scicat: State) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_double(scicat))


@pytest.fixture
def searchapi(backend_transport: httpx.ASGITransport) -> Iterator[TestClient]:
    from panosc_search.app import create_app
    from panosc_search.settings import Settings

    settings = Settings.from_env({
        "BACKEND_URL": "http://scicat.test", "FACILITY": "ESS",
        "SCICAT_USERNAME": "proposalIngestor", "SCICAT_PASSWORD": "secret",
        "CHANGE_CHECK_SECONDS": "0", "PAGE_SIZE": "2",
    })
    with TestClient(create_app(settings, transport=backend_transport)) as client:
        yield client


@pytest.fixture
def oai_url(backend_transport: httpx.ASGITransport) -> Iterator[str]:
    """The provider on a real loopback port, so that real harvesters can reach it."""
    from oai_provider.app import create_app
    from oai_provider.settings import Settings

    from tests.services.frontend_lite.frontend_harness import serve
    from tests.support import free_port

    port = free_port()
    settings = Settings.from_env({
        "SCICAT_BACKEND_URL": "http://scicat.test", "ADMIN_USER_EMAIL": "support@scicat.eu",
        "SERVICE_URL": f"http://127.0.0.1:{port}", "FACILITY_NAME": "ESS",
        "RECORDS_PER_PAGE": "7", "PAGE_SIZE": "50",
        "LANDING_PAGE_URL": "http://landing.test/detail",
    })
    with serve(create_app(settings, transport=backend_transport), port, "oaipmh") as url:
        yield f"{url}/oai"
