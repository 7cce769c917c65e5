"""The provider's answers verb by verb, and every error code of OAI-PMH 2.0 section 3.6."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.support import free_port

OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "d": "http://datacite.org/schema/kernel-4"}


def settings(**extra: str) -> object:
    from oai_provider.settings import Settings

    return Settings.from_env({"SCICAT_BACKEND_URL": "http://scicat.test",
                              "ADMIN_USER_EMAIL": "support@scicat.eu",
                              "SERVICE_URL": "http://oai.test", "FACILITY_NAME": "ESS",
                              "RECORDS_PER_PAGE": "1",
                              "LANDING_PAGE_URL": "http://landing.test/detail", **extra})


@pytest.fixture
def oai(backend_transport: httpx.ASGITransport) -> Iterator[TestClient]:
    from oai_provider.app import create_app

    with TestClient(create_app(settings(), transport=backend_transport)) as client:
        yield client


def ask(client: TestClient, query: str, method: str = "GET") -> etree._Element:
    if method == "POST":
        response = client.post("/oai", content=query,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = client.get(f"/oai?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    return etree.fromstring(response.content)


def error_code(tree: etree._Element) -> str | None:
    found = tree.find(f"{OAI}error")
    return None if found is None else found.get("code")


def test_identify(oai: TestClient) -> None:
    tree = ask(oai, "verb=Identify")
    identify = tree.find(f"{OAI}Identify")
    assert identify is not None
    assert identify.findtext(f"{OAI}repositoryName") == "ESS"
    assert identify.findtext(f"{OAI}baseURL") == "http://oai.test/oai"
    assert identify.findtext(f"{OAI}protocolVersion") == "2.0"
    assert identify.findtext(f"{OAI}adminEmail") == "support@scicat.eu"
    assert identify.findtext(f"{OAI}earliestDatestamp") == "2020-06-01T10:00:00Z"
    assert identify.findtext(f"{OAI}deletedRecord") == "no"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"


def test_upstream_routes_and_post_answer_the_same(oai: TestClient) -> None:
    for path in ("/scicat/oai", "/openaire/oai", "/panosc/oai"):
        tree = etree.fromstring(oai.get(f"{path}?verb=ListSets").content)
        assert tree.find(f"{OAI}ListSets") is not None
    tree = ask(oai, "verb=GetRecord&metadataPrefix=oai_dc&identifier=10.5072/panosc-document2",
               method="POST")
    assert tree.xpath("//dc:title/text()", namespaces=NS) == [
        "Temperature dependence of copper absorption"]


def test_metadata_formats_and_sets(oai: TestClient) -> None:
    tree = ask(oai, "verb=ListMetadataFormats")
    assert tree.xpath("//o:metadataPrefix/text()", namespaces=NS) == [
        "oai_dc", "datacite", "oai_datacite"]
    tree = ask(oai, "verb=ListMetadataFormats&identifier=10.5072/panosc-document1")
    assert len(tree.xpath("//o:metadataFormat", namespaces=NS)) == 3
    tree = ask(oai, "verb=ListSets")
    assert tree.xpath("//o:setSpec/text()", namespaces=NS) == [
        "openaire_data", "year", "year:2020", "year:2021"]


def test_get_record_in_each_format(oai: TestClient) -> None:
    doi = "10.5072/panosc-document1"
    dc = ask(oai, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={doi}")
    assert dc.xpath("//o:header/o:identifier/text()", namespaces=NS) == [doi]
    assert dc.xpath("//o:header/o:setSpec/text()", namespaces=NS) == ["openaire_data",
                                                                      "year:2020"]
    assert dc.xpath("//dc:creator/text()", namespaces=NS) == ["Ernest Rutherford", "Niels Bohr"]
    datacite = ask(oai, f"verb=GetRecord&metadataPrefix=datacite&identifier={doi}")
    assert datacite.xpath("//d:identifier/text()", namespaces=NS) == [doi]
    assert datacite.xpath("//d:description[@descriptionType='Abstract']/text()",
                          namespaces=NS) == ["Wavelength 1064 nm laser study of copper"]
    wrapped = ask(oai, f"verb=GetRecord&metadataPrefix=oai_datacite&identifier={doi}")
    assert wrapped.xpath("//*[local-name()='payload']/d:resource/d:identifier/text()",
                         namespaces=NS) == [doi]


def test_list_records_pages_with_resumption_tokens(oai: TestClient) -> None:
    tree = ask(oai, "verb=ListRecords&metadataPrefix=oai_dc")
    assert len(tree.xpath("//o:record", namespaces=NS)) == 1
    token = tree.findtext(f".//{OAI}resumptionToken")
    assert token
    last = ask(oai, f"verb=ListRecords&resumptionToken={httpx.QueryParams({'t': token})['t']}")
    assert len(last.xpath("//o:record", namespaces=NS)) == 1


@pytest.mark.parametrize(("query", "code"), [
    ("", "badVerb"),
    ("verb=Frobnicate", "badVerb"),
    ("verb=GetMetadata&metadataPrefix=oai_dc&identifier=x", "badVerb"),
    ("verb=Identify&verb=ListSets", "badVerb"),
    ("verb=ListRecords", "badArgument"),
    ("verb=Identify&colour=blue", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=datacite", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2021-01-01&until=2020-01-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2021-01-01&until=2021-02-01T00:00:00Z",
     "badArgument"),
    ("verb=GetRecord&identifier=10.5072/panosc-document1", "badArgument"),
    ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
    ("verb=ListRecords&resumptionToken=metadataPrefix%3Doai_dc%26cursor%3D1",
     "badResumptionToken"),
    ("verb=ListSets&resumptionToken=anything", "badResumptionToken"),
    ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=marc21&identifier=10.5072/panosc-document1",
     "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=10.5072/nope", "idDoesNotExist"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=10.5072/panosc-document3",
     "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=10.5072/nope", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=year:1999", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2040-01-01", "noRecordsMatch"),
])
def test_error_codes(oai: TestClient, query: str, code: str) -> None:
    tree = ask(oai, query)
    assert error_code(tree) == code
    request = tree.find(f"{OAI}request")
    assert request is not None and request.text == "http://oai.test/oai"
    if code in ("badVerb", "badArgument"):
        assert not request.attrib  # the protocol: no attributes echoed for these two


def test_a_backend_that_is_down_is_503_with_retry_after() -> None:
    from oai_provider.app import create_app

    with TestClient(create_app(settings(SCICAT_BACKEND_URL=f"http://127.0.0.1:{free_port()}"))) \
            as client:
        for path in ("/oai?verb=Identify", "/health"):
            response = client.get(path)
            assert response.status_code == 503
            assert response.headers["retry-after"] == "10"


def test_settings_errors_name_the_variable() -> None:
    from oai_provider.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="SCICAT_BACKEND_URL must be set"):
        Settings.from_env({})
    with pytest.raises(SettingsError, match="ADMIN_USER_EMAIL"):
        Settings.from_env({"SCICAT_BACKEND_URL": "http://b", "ADMIN_USER_EMAIL": "nobody"})
    with pytest.raises(SettingsError, match="RECORDS_PER_PAGE"):
        Settings.from_env({"SCICAT_BACKEND_URL": "http://b", "ADMIN_USER_EMAIL": "a@b.c",
                           "RECORDS_PER_PAGE": "0"})


def test_a_backend_without_published_data_has_no_records(
        oai: TestClient, scicat: object) -> None:
    scicat.published_api = False  # type: ignore[attr-defined]
    assert ask(oai, "verb=Identify").find(f"{OAI}Identify") is not None
    assert error_code(ask(oai, "verb=ListRecords&metadataPrefix=oai_dc")) == "noRecordsMatch"
