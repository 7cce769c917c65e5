"""Real harvesters (pyoai's client from the ``oaipmh`` package, and oaipmh-scythe) harvest the
provider over HTTP; what they get is compared with what SciCat's API lists publicly."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from oaipmh_scythe import Scythe

from . import records
from .scicat_double import State


def public_records(transport: httpx.ASGITransport) -> dict[str, dict[str, Any]]:
    """What the backend's API shows anonymously, read the way any API client would (paged)."""
    found: dict[str, dict[str, Any]] = {}

    async def read() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://scicat.test") as api:
            skip = 0
            while True:
                spec = {"limits": {"limit": 100, "skip": skip}}
                page = (await api.get("/api/v3/publisheddata",
                                      params={"filter": json.dumps(spec)})).json()
                found.update({p["doi"]: p for p in page})
                if len(page) < 100:
                    return
                skip += 100

    import asyncio
    asyncio.run(read())
    return found


@pytest.fixture
def bulk(scicat: State) -> State:
    scicat.published_data += records.many_published(250)
    return scicat


def _client(url: str) -> Client:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    return Client(url, registry)


def test_pyoai_harvests_every_public_record_exactly_once(
        bulk: State, oai_url: str, backend_transport: httpx.ASGITransport) -> None:
    expected = public_records(backend_transport)
    assert len(expected) == 252  # two registered examples + 250 bulk; the draft stays out
    harvested = list(_client(oai_url).listRecords(metadataPrefix="oai_dc"))
    identifiers = [header.identifier() for header, _, _ in harvested]
    assert len(identifiers) == len(set(identifiers)) == len(expected)
    assert set(identifiers) == set(expected)
    for header, metadata, _ in harvested:
        record = expected[header.identifier()]
        assert metadata.getField("title") == [record["title"]]
        assert metadata.getField("creator") == record["creator"]
        assert record["doi"] in metadata.getField("identifier")
        assert metadata.getField("date") == [str(record["publicationYear"])]
    pages = [r for r in bulk.requests if "publisheddata?" in r and "registered" in r]
    assert pages, "the provider reads the backend's list"


def test_scythe_harvests_identifiers_and_datacite_the_same(
        bulk: State, oai_url: str, backend_transport: httpx.ASGITransport) -> None:
    expected = public_records(backend_transport)
    with Scythe(oai_url) as scythe:
        headers = list(scythe.list_identifiers(metadata_prefix="oai_datacite"))
        datacite = list(scythe.list_records(metadata_prefix="datacite"))
    assert sorted(h.identifier for h in headers) == sorted(expected)
    assert sorted(r.header.identifier for r in datacite) == sorted(expected)
    first = next(r for r in datacite if r.header.identifier == "10.5072/panosc-document1")
    xml = first.raw
    assert '<identifier identifierType="DOI">10.5072/panosc-document1</identifier>' in xml
    assert "<creatorName>Ernest Rutherford</creatorName>" in xml
    assert '<resourceType resourceTypeGeneral="Dataset">raw</resourceType>' in xml
    assert "<publicationYear>2020</publicationYear>" in xml


def test_selective_harvesting_by_set_and_dates(bulk: State, oai_url: str) -> None:
    client = _client(oai_url)
    in_2021 = [h.identifier() for h in client.listIdentifiers(metadataPrefix="oai_dc",
                                                              set="year:2021")]
    expected_2021 = {p["doi"] for p in bulk.published_data
                     if p["status"] == "registered" and p["publicationYear"] == 2021}
    assert set(in_2021) == expected_2021 and len(in_2021) == len(expected_2021)
    years = [h.identifier() for h in client.listIdentifiers(metadataPrefix="oai_dc",
                                                            set="year")]
    assert len(years) == 252  # the parent set holds every year
    from datetime import datetime
    recent = list(client.listIdentifiers(metadataPrefix="oai_dc",
                                         from_=datetime(2021, 1, 1),
                                         until=datetime(2021, 12, 31, 23, 59, 59)))
    assert recent and all(h.datestamp().year == 2021 for h in recent)


def test_a_record_changed_mid_harvest_costs_no_other_record(bulk: State, oai_url: str) -> None:
    client = _client(oai_url)
    seen = []
    for index, header in enumerate(client.listIdentifiers(metadataPrefix="oai_dc")):
        seen.append(header.identifier())
        if index == 3:  # the first page is done; move one of its records to the end
            changed = next(p for p in bulk.published_data if p["doi"] == seen[0])
            changed["updatedAt"] = "2031-01-01T00:00:00.000Z"
    assert set(seen) == {p["doi"] for p in bulk.published_data if p["status"] == "registered"}
    assert len(seen) == 253  # every record once, the changed one again with its new datestamp
