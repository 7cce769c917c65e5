"""The three search services against the real scicat-lite (in this process, on a scratch
PostgreSQL database): records are created through scicat-lite's API as a facility would, then
searched, harvested by pyoai's client and oaipmh-scythe, and shown on landing pages."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from oaipmh_scythe import Scythe

from scicatlive.checks import Selection, Status, Target, run_checks
from tests.support import free_port, required_env, serve_app

pytestmark = pytest.mark.database
ACCOUNTS = {"admin": "admin", "ingestor": "ingestor", "proposalIngestor": "proposalingestor"}


@dataclass(frozen=True)
class Lite:
    url: str
    passwords: dict[str, str]

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {}
        if username:
            token = httpx.post(f"{self.url}/api/v3/auth/login", json={
                "username": username, "password": self.passwords[username]}).json()["id"]
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lite]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    server = required_env("SCICATLIVE_TEST_POSTGRES_URL")
    name = f"hs_search_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    workdir = tmp_path_factory.mktemp("search-lite")
    passwords = {user: secrets.token_urlsafe(12) for user in ACCOUNTS}
    (workdir / "accounts.json").write_text(json.dumps([
        {"username": u, "email": f"{u.lower()}@example.org", "password": passwords[u],
         "role": g, "global": False} for u, g in ACCOUNTS.items()]))
    port = free_port()
    settings = Settings.from_env({
        "DATABASE_URL": make_conninfo(**{**conninfo_to_dict(server), "dbname": name}),
        "JWT_SECRET": secrets.token_hex(16), "PID_PREFIX": "20.500.12269",
        "FUNCTIONAL_ACCOUNTS_FILE": str(workdir / "accounts.json"), "ADMIN_GROUPS": "admin",
        "PROPOSAL_GROUPS": "proposalingestor", "SAMPLE_GROUPS": "ingestor",
        "PORT": str(port)})
    try:
        with serve_app(create_app(settings), port=port) as url:
            found = Lite(url, passwords)
            _facility(found)
            yield found
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), f"{response.request.url}: {response.text}"
    return response.json()


def _facility(lite: Lite) -> None:
    """A beamline, a proposal, three datasets (two published) and three published-data records
    (two registered), created through the API the way a facility's ingestors do."""
    with lite.client("admin") as admin:
        _ok(admin.post("/api/v3/instruments", json={"uniqueName": "BioMAX", "name": "BioMAX"}))
        instrument = _ok(admin.get("/api/v3/instruments"))[0]["pid"]
    with lite.client("proposalIngestor") as proposals:
        _ok(proposals.post("/api/v3/proposals", json={
            "proposalId": "MX-1", "title": "Lysozyme at high pressure", "email": "pi@x.org",
            "ownerGroup": "group1", "pi_firstname": "Dorothy", "pi_lastname": "Hodgkin",
            "abstract": "Pressure-induced changes of lysozyme"}))
    pids = []
    with lite.client("ingestor") as ingestor:
        for n, (published, wavelength) in enumerate([(True, 0.9792), (True, 1.5418),
                                                     (False, 0.98)]):
            dataset = _ok(ingestor.post("/api/v3/datasets", json={
                "type": "raw", "datasetName": f"lysozyme collection {n}",
                "description": "Lysozyme crystal", "owner": "Dorothy Hodgkin",
                "contactEmail": "pi@x.org", "sourceFolder": f"/data/mx/{n}",
                "creationTime": f"2024-02-0{n + 1}T10:00:00Z", "ownerGroup": "ingestor",
                "principalInvestigator": "Dorothy Hodgkin", "creationLocation": "/SITE/BioMAX",
                "isPublished": published, "proposalId": "MX-1", "instrumentId": instrument,
                "keywords": ["MX", "lysozyme"],
                "scientificMetadata": {"wavelength": {"value": wavelength, "unit": "angstrom"},
                                       "exposureTime": {"value": 0.01, "unit": "s"}}}))
            pids.append(dataset["pid"])
            _ok(ingestor.post(f"/api/v3/datasets/{quote(dataset['pid'])}/origdatablocks", json={
                "size": 2048, "dataFileList": [
                    {"path": f"images/lyso_{n}_0001.cbf", "size": 1024,
                     "time": "2024-02-01T10:00:00Z"},
                    {"path": f"images/lyso_{n}_0002.cbf", "size": 1024,
                     "time": "2024-02-01T10:00:01Z"}]}))
        for n, (names, register) in enumerate([(pids[:1], True), (pids[:2], True),
                                               (pids[1:2], False)]):
            record = _ok(ingestor.post("/api/v3/publisheddata", json={
                "creator": ["Dorothy Hodgkin"], "publisher": "SciCat Live Light Source",
                "publicationYear": 2024, "title": f"Lysozyme structures {n}",
                "abstract": f"Structures of lysozyme, release {n}",
                "dataDescription": "Diffraction images", "resourceType": "raw",
                "pidArray": names}))
            if register:
                _ok(ingestor.post(f"/api/v3/publisheddata/{quote(record['doi'])}/register"))


def quote(value: str) -> str:
    return value.replace("/", "%2F")


@pytest.fixture(scope="module")
def services(lite: Lite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from landing_page.app import create_app as landing_app
    from landing_page.settings import Settings as LandingSettings
    from oai_provider.app import create_app as oai_app
    from oai_provider.settings import Settings as OaiSettings
    from panosc_search.app import create_app as search_app
    from panosc_search.settings import Settings as SearchSettings

    config = tmp_path_factory.mktemp("landing") / "config.json"
    config.write_text(json.dumps({"facility": "SITE", "doiBaseUrl": "https://doi.org/"}))
    ports = [free_port(), free_port(), free_port()]
    search = search_app(SearchSettings.from_env({
        "BACKEND_URL": lite.url, "SCICAT_USERNAME": "proposalIngestor",
        "SCICAT_PASSWORD": lite.passwords["proposalIngestor"]}))
    oai = oai_app(OaiSettings.from_env({
        "SCICAT_BACKEND_URL": lite.url, "ADMIN_USER_EMAIL": "support@scicat.eu",
        "SERVICE_URL": f"http://127.0.0.1:{ports[1]}", "RECORDS_PER_PAGE": "1"}))
    landing = landing_app(LandingSettings.from_env({
        "BACKEND_URL": lite.url, "LANDING_CONFIG_FILE": str(config)}))
    with serve_app(search, port=ports[0]) as search_url, \
            serve_app(oai, port=ports[1]) as oai_url, \
            serve_app(landing, port=ports[2]) as landing_url:
        yield {"searchapi": search_url, "oaipmh": oai_url, "landingpage": landing_url}


def test_the_three_checks_pass_on_scicat_lite(lite: Lite, services: dict[str, str]) -> None:
    target = Target(backend_url=lite.url, features=("search",), searchapi_url=services["searchapi"],
                    oai_url=f"{services['oaipmh']}/scicat/oai", landing_url=services["landingpage"])
    report = run_checks(target, Selection.parse(only=["search.panosc", "search.oaipmh", "search.landing"]))
    messages = {r.id: r.message for r in report.results}
    assert all(r.status is Status.PASSED for r in report.results), messages
    assert "found by wavelength" in messages["search.panosc"]
    assert "all 2 published-data records once, in 2 page(s)" in messages["search.oaipmh"]
    assert "2 of 2 DOI pages answer" in messages["search.landing"]


def test_searchapi_documents_from_published_data_and_the_proposal(
        services: dict[str, str]) -> None:
    found = httpx.get(f"{services['searchapi']}/api/Documents", params={"filter": json.dumps({
        "include": [{"relation": "datasets"}, {"relation": "members", "scope": {
            "include": [{"relation": "person"}]}}]})}).json()
    by_type = {d["type"]: d for d in found}
    assert sorted(d["title"] for d in found if d["type"] == "publication") == [
        "Lysozyme structures 0", "Lysozyme structures 1"]
    proposal = by_type["proposal"]
    assert proposal["pid"] == "MX-1" and len(proposal["datasets"]) == 2  # published ones only
    assert proposal["members"][0]["person"]["fullName"] == "Dorothy Hodgkin"
    wavelength = httpx.get(f"{services['searchapi']}/api/Datasets", params={
        "filter": json.dumps({"include": [{"relation": "parameters", "scope": {"where": {
            "and": [{"name": "wavelength"}, {"value": {"lt": 0.1}}, {"unit": "nm"}]}}}]})}).json()
    assert [d["title"] for d in wavelength] == ["lysozyme collection 0"]


def test_harvesters_get_what_the_api_lists(lite: Lite, services: dict[str, str]) -> None:
    with lite.client() as backend:
        expected = {p["doi"]: p for p in backend.get("/api/v3/publisheddata").json()}
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    harvested = list(Client(f"{services['oaipmh']}/oai", registry).listRecords(
        metadataPrefix="oai_dc"))
    assert sorted(h.identifier() for h, _, _ in harvested) == sorted(expected)
    for header, metadata, _ in harvested:
        assert metadata.getField("title") == [expected[header.identifier()]["title"]]
    with Scythe(f"{services['oaipmh']}/oai") as scythe:
        datacite = list(scythe.list_records(metadata_prefix="oai_datacite"))
    assert sorted(r.header.identifier for r in datacite) == sorted(expected)


def test_landing_page_lists_files(lite: Lite, services: dict[str, str]) -> None:
    with lite.client() as backend:
        record = next(p for p in backend.get("/api/v3/publisheddata").json()
                      if len(p["pidArray"]) == 2)
    html = httpx.get(f"{services['landingpage']}/detail/{record['doi']}").text
    assert "images/lyso_0_0001.cbf" in html and "images/lyso_1_0002.cbf" in html
    assert '"@type": "Dataset"' in html
