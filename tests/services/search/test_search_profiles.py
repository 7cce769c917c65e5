"""The bundled search profiles: lite-search builds all three services here, full-search renders
SciCatLive's upstream images wired as SciCatLive wires them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.helpers import write_stack_files


def rendered(profile: str) -> dict[str, Any]:
    paths = write_stack_files(profile, name=f"hs-{profile}", port_offset=15000)
    compose: dict[str, Any] = yaml.safe_load(paths.compose_file.read_text())
    return compose["services"]


def test_lite_search_builds_the_three_services_here() -> None:
    services = rendered("lite-search")
    for name in ("searchapi", "oaipmh", "landingpage"):
        assert services[name]["image"].startswith(f"scicatlive/{name}:")
        assert services[name]["pull_policy"] == "never"
        # Their health reports the backend, which is asked from the host: they start beside it.
        assert services[name]["depends_on"] == {"scicat-lite": {"condition": "service_started"}}
    assert services["searchapi"]["environment"]["BACKEND_URL"] == "http://scicat-lite:3000"
    assert services["oaipmh"]["environment"]["SERVICE_URL"] == "http://127.0.0.1:18002"
    assert services["oaipmh"]["environment"]["LANDING_PAGE_URL"] == "http://127.0.0.1:23081/detail"
    assert [p["published"] for p in services["landingpage"]["ports"]] == ["23081"]


@pytest.mark.parametrize(("name", "image", "port"), [
    ("searchapi", "ghcr.io/scicatproject/panosc-search-api:v2.0.1", 3000),
    ("oaipmh", "ghcr.io/scicatproject/oai-provider-service:v1.1.5", 3000),
    ("landingpage", "ghcr.io/scicatproject/landingpageserver:v3.6", 80),
])
def test_full_search_renders_the_upstream_images(name: str, image: str, port: int) -> None:
    service = rendered("full-search")[name]
    assert service["image"] == image
    assert service["depends_on"] == {"backend": {"condition": "service_healthy"}}
    assert service["ports"][0]["target"] == port


def test_full_search_wires_upstream_environment() -> None:
    services = rendered("full-search")
    assert services["searchapi"]["environment"]["BASE_URL"] == "http://backend:3000"
    oai = services["oaipmh"]["environment"]
    assert oai["SCICAT_BACKEND_URL"] == "http://backend:3000"
    assert oai["ADMIN_USER_EMAIL"] == "support@scicat.eu"
    assert oai["FACILITY_NAME"] == "SCICATLIVE"
    mounts = services["landingpage"]["volumes"]
    assert mounts[0]["target"] == "/usr/share/nginx/html/assets/config.json"
    config = json.loads(Path(mounts[0]["source"]).read_text())
    assert config["directMongoAccess"] is True
    assert config["doiBaseUrl"] == "http://127.0.0.1:23081/detail/"
    assert config["lbBaseUrl"] == "http://127.0.0.1:18000"
    assert config["oaiProviderRoute"] == "http://127.0.0.1:18002/oai"
