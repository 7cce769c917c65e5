"""The landing pages: one per registered DOI with its datasets, files, citation and JSON-LD."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support import free_port

from .scicat_double import State

CONFIG = {"facility": "ESS", "doiBaseUrl": "https://doi.org/",
          "scicatBaseUrl": "http://catalogue.test", "oaiProviderRoute": "http://oai.test/oai",
          "contactEmail": "support@scicat.eu", "directMongoAccess": True}


def make_settings(tmp_path: Path, **extra: str) -> Any:
    from landing_page.settings import Settings

    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    return Settings.from_env({"BACKEND_URL": "http://scicat.test",
                              "LANDING_CONFIG_FILE": str(config), "PER_PAGE": "1",
                              "FILES_PER_DATASET": "1", **extra})


@pytest.fixture
def landing(tmp_path: Path, backend_transport: httpx.ASGITransport) -> Iterator[TestClient]:
    from landing_page.app import create_app

    with TestClient(create_app(make_settings(tmp_path), transport=backend_transport)) as client:
        yield client


def json_ld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert match, "the page carries JSON-LD"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


@pytest.mark.parametrize("path", ["/detail/10.5072/panosc-document1",
                                  "/detail/10.5072%2Fpanosc-document1"])
def test_a_doi_page_shows_the_publication_and_its_datasets(
        landing: TestClient, path: str) -> None:
    response = landing.get(path)
    assert response.status_code == 200
    html = response.text
    assert "<h1 class=\"title\">PaNOSC Test Publication</h1>" in html
    assert "Ernest Rutherford; Niels Bohr; PaNOSC Test Facility (2020)" in html
    assert "Wavelength 1064 nm laser study of copper" in html
    assert "https://doi.org/10.5072/panosc-document1" in html
    for name in ("PaNOSC Test Dataset 1", "PaNOSC Test Dataset 2", "PaNOSC Test Dataset 4"):
        assert name in html
    assert "raw/panosc-file1.hdf" in html and "1.0 kB" in html
    assert "… and 1 more files." in html  # FILES_PER_DATASET=1 of dataset 1's two files
    assert ('href="http://catalogue.test/datasets/20.500.12269%2Fpanosc-dataset1"' in html)
    assert ("Ernest Rutherford; Niels Bohr (2020). PaNOSC Test Publication. PaNOSC Test "
            "Facility. https://doi.org/10.5072/panosc-document1") in html


def test_json_ld_describes_the_dataset_for_search_engines(landing: TestClient) -> None:
    data = json_ld(landing.get("/detail/10.5072/panosc-document1").text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset"
    assert data["@id"] == data["identifier"] == "https://doi.org/10.5072/panosc-document1"
    assert data["name"] == "PaNOSC Test Publication"
    assert [c["name"] for c in data["creator"]] == ["Ernest Rutherford", "Niels Bohr"]
    assert data["creator"][0]["affiliation"]["name"] == "European Spallation Source"
    assert data["publisher"]["name"] == "PaNOSC Test Facility"
    assert data["datePublished"] == "2020"
    assert [p["name"] for p in data["hasPart"]] == [
        "PaNOSC Test Dataset 1", "PaNOSC Test Dataset 2", "PaNOSC Test Dataset 4"]


def test_unpublished_datasets_are_named_by_pid_only(landing: TestClient, scicat: State) -> None:
    scicat.published_data[1]["pidArray"].append("20.500.12269/panosc-dataset5")
    html = landing.get("/detail/10.5072/panosc-document2").text
    assert "20.500.12269/panosc-dataset5" in html and "This dataset is not public." in html
    assert "Unpublished Dataset 5" not in html


def test_text_from_the_catalogue_is_escaped(landing: TestClient, scicat: State) -> None:
    scicat.published_data[1]["title"] = "<script>alert(1)</script>"
    html = landing.get("/detail/10.5072/panosc-document2").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert json_ld(html)["name"] == "<script>alert(1)</script>"


@pytest.mark.parametrize("doi", ["10.5072/unknown", "10.5072/panosc-document3"])
def test_unknown_and_unregistered_dois_are_404(landing: TestClient, doi: str) -> None:
    response = landing.get(f"/detail/{doi}")
    assert response.status_code == 404
    assert f"No registered publication has the DOI {doi}." in response.text


def test_the_dashboard_lists_registered_publications_newest_first(landing: TestClient) -> None:
    first = landing.get("/")
    assert first.status_code == 200
    assert "2 published datasets with a DOI." in first.text
    assert "Temperature dependence of copper absorption" in first.text  # 2021 comes first
    assert "Page 1 of 2" in first.text
    second = landing.get("/?page=2").text
    assert 'href="/detail/10.5072/panosc-document1"' in second
    assert landing.get("/?page=0").status_code == 400


def test_a_backend_that_is_down_is_a_503_page(tmp_path: Path) -> None:
    from landing_page.app import create_app

    settings = make_settings(tmp_path, BACKEND_URL=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as client:
        for path in ("/detail/10.5072/x", "/", "/health"):
            assert client.get(path).status_code == 503


def test_a_bad_config_file_is_named(tmp_path: Path) -> None:
    from landing_page.settings import Settings, SettingsError

    broken = tmp_path / "config.json"
    broken.write_text("{nope")
    with pytest.raises(SettingsError, match=f"LANDING_CONFIG_FILE {broken}: not JSON"):
        Settings.from_env({"BACKEND_URL": "http://b", "LANDING_CONFIG_FILE": str(broken)})
    with pytest.raises(SettingsError, match="cannot read it"):
        Settings.from_env({"BACKEND_URL": "http://b",
                           "LANDING_CONFIG_FILE": str(tmp_path / "missing.json")})
    with pytest.raises(SettingsError, match="BACKEND_URL must be set"):
        Settings.from_env({})
