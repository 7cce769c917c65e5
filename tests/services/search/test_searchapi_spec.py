"""The PaNOSC spec's own example queries (panosc-eu/search-api doc/*-example-queries.md).

The double serves the spec's example data in SciCat's shapes (records.py); each test sends the
spec's filter unchanged and checks the answer the spec documents, except where SciCat itself
differs (documents have no parameters of their own in SciCat; said where it matters).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from .scicat_double import State

DS = "20.500.12269/panosc-dataset"


def get(client: TestClient, path: str, filter_: dict[str, Any] | None = None,
        **params: str) -> Any:
    if filter_ is not None:
        params["filter"] = json.dumps(filter_)
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def pids(items: list[dict[str, Any]]) -> list[str]:
    return [item["pid"] for item in items]


def parameters_filter(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"include": [{"relation": "parameters",
                         "scope": {"where": {"and": list(conditions)}}}]}


def test_datasets_acquired_using_x_ray_absorption(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", {"include": [
        {"relation": "techniques", "scope": {"where": {"name": "x-ray absorption"}}}]})
    assert pids(found) == [f"{DS}3", f"{DS}4"]
    assert all(d["techniques"] == [{"pid": "PaNET01196", "name": "x-ray absorption",
                                    "panetId": "http://purl.org/pan-science/PaNET/PaNET01196"}]
               for d in found)
    assert all(d["isPublic"] is True and d["score"] == 0 for d in found)


def test_a_technique_named_by_its_panet_iri_has_that_iri_as_panet_id(
        searchapi: TestClient, scicat: State) -> None:
    iri = "http://purl.org/pan-science/PaNET/PaNET01164"
    scicat.datasets[0]["techniques"] = [{"pid": iri, "name": "macromolecular crystallography"}]
    scicat.datasets[0]["updatedAt"] = "2030-01-01T00:00:00.000Z"
    found = get(searchapi, "/api/Datasets", {"include": [
        {"relation": "techniques", "scope": {"where": {"pid": iri}}}]})
    assert pids(found) == [f"{DS}1"]
    assert found[0]["techniques"] == [{"pid": iri, "name": "macromolecular crystallography", "panetId": iri}]


def test_datasets_where_the_photon_energy_range_is_880_990_ev(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", parameters_filter(
        {"name": "photon_energy"}, {"value": {"between": [880, 990]}}, {"unit": "eV"}))
    # Dataset 1 has 12.4 keV (12400 eV); dataset 5 (950 eV) is not published.
    assert pids(found) == [f"{DS}2"]
    assert found[0]["parameters"] == [
        {"id": found[0]["parameters"][0]["id"], "name": "photon_energy", "value": 930.0,
         "unit": "eV"}]


def test_the_same_range_in_kev_finds_the_same_dataset_in_kev(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", parameters_filter(
        {"name": "photon_energy"}, {"value": {"between": [0.88, 0.99]}}, {"unit": "keV"}))
    assert pids(found) == [f"{DS}2"]
    assert found[0]["parameters"][0]["value"] == 0.93
    assert found[0]["parameters"][0]["unit"] == "keV"


def test_datasets_with_a_solid_sample_or_copper(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", {"include": [{"relation": "parameters", "scope": {
        "where": {"or": [{"and": [{"name": "sample_state"}, {"value": "solid"}]},
                         {"and": [{"name": "chemical_formula"}, {"value": "Cu"}]}]}}}]})
    assert pids(found) == [f"{DS}1"]
    names = {p["name"]: p["value"] for p in found[0]["parameters"]}
    assert names["sample_state"] == "solid" and names["chemical_formula"] == "Cu"


def test_datasets_where_temperature_is_below_80_celsius(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", parameters_filter(
        {"name": "temperature"}, {"value": {"lt": 80}}, {"unit": "celsius"}))
    # Dataset 4 is at 400 K = 126.85 °C.
    assert pids(found) == [f"{DS}3"]
    temperature = found[0]["parameters"][0]
    assert (temperature["name"], temperature["value"], temperature["unit"]) == (
        "temperature", 20.0, "celsius")
    in_kelvin = get(searchapi, "/api/Datasets", parameters_filter(
        {"name": "temperature"}, {"value": {"gt": 300}}, {"unit": "K"}))
    assert pids(in_kelvin) == [f"{DS}4"]


def test_datasets_with_files_matching_a_string(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", {"include": [
        {"relation": "files", "scope": {"where": {"text": "file1"}}}]})
    assert pids(found) == [f"{DS}1"]
    assert [f["name"] for f in found[0]["files"]] == ["panosc-file1.hdf", "panosc-file1b.hdf"]
    assert found[0]["files"][0]["path"] == "raw" and found[0]["files"][0]["size"] == 1024


def test_documents_of_type_proposal_containing_my_own_data(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Documents", {
        "where": {"type": "proposal"},
        "include": [
            {"relation": "datasets"},
            {"relation": "members", "scope": {
                "where": {"role": "principal investigator"},
                "include": [{"relation": "person",
                             "scope": {"where": {"fullName": "James Chadwick"}}}]}}]})
    assert pids(found) == ["panosc-proposal2"]
    document = found[0]
    assert document["type"] == "proposal" and document["title"] == "PaNOSC Test Proposal"
    assert pids(document["datasets"]) == [f"{DS}3", f"{DS}4"]
    assert [(m["role"], m["person"]["fullName"]) for m in document["members"]] == [
        ("principal investigator", "James Chadwick")]


def test_documents_where_wavelength_is_1000_1100_nm(searchapi: TestClient) -> None:
    # SciCat's published data carry no parameters of their own (upstream answers the same).
    found = get(searchapi, "/api/Documents", parameters_filter(
        {"name": "wavelength"}, {"value": {"between": [1000, 1100]}}, {"unit": "nm"}))
    assert found == []


def test_documents_containing_datasets_where_wavelength_is_1000_1100_nm(
        searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Documents", {"include": [{"relation": "datasets", "scope": {
        "include": [{"relation": "parameters", "scope": {"where": {"and": [
            {"name": "wavelength"}, {"value": {"between": [1000, 1100]}}, {"unit": "nm"}]}}}]}}]})
    assert pids(found) == ["10.5072/panosc-document1", "panosc-proposal2"]
    for document in found:
        assert pids(document["datasets"]) == [f"{DS}4"]
        wavelength = [p for p in document["datasets"][0]["parameters"]
                      if p["name"] == "wavelength"]
        assert wavelength[0]["value"] == 1064.0 and wavelength[0]["unit"] == "nm"
    in_micrometres = get(searchapi, "/api/Documents", {"include": [{"relation": "datasets",
        "scope": {"include": [{"relation": "parameters", "scope": {"where": {"and": [
            {"name": "wavelength"}, {"value": {"between": [1, 1.1]}}, {"unit": "um"}]}}}]}}]})
    assert pids(in_micrometres) == pids(found)


def test_documents_investigating_a_sample_with_a_technique(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Documents", {"include": [{"relation": "datasets", "scope": {
        "include": [
            {"relation": "samples", "scope": {"where": {"name": "solid copper cylinder"}}},
            {"relation": "techniques", "scope": {"where": {"name": "x-ray absorption"}}}]}}]})
    assert pids(found) == ["10.5072/panosc-document1", "10.5072/panosc-document2",
                           "panosc-proposal2"]
    proposal = found[2]
    assert pids(proposal["datasets"]) == [f"{DS}3", f"{DS}4"]
    assert proposal["datasets"][0]["samples"] == [
        {"pid": "panosc-sample1", "name": "solid copper cylinder",
         "description": "A cylinder of copper"}]


def test_instruments_by_name(searchapi: TestClient) -> None:
    assert get(searchapi, "/api/Instruments", {"where": {"name": "LoKI"}}) == [
        {"pid": "20.500.12269/loki", "name": "LoKI", "facility": "ESS", "score": 0}]


def test_instruments_at_a_facility_with_pagination(searchapi: TestClient) -> None:
    first = get(searchapi, "/api/Instruments",
                {"where": {"facility": "ESS"}, "skip": 0, "limit": 2})
    second = get(searchapi, "/api/Instruments",
                 {"where": {"facility": "ESS"}, "skip": 2, "limit": 2})
    assert len(first) == 2 and len(second) == 1
    assert sorted(pids(first + second)) == sorted(
        ["20.500.12269/loki", "20.500.12269/odin", "20.500.12269/estia"])
    assert get(searchapi, "/api/Instruments", {"where": {"facility": "ESS"}, "skip": 3}) == []
    assert get(searchapi, "/api/Instruments/count",
               where=json.dumps({"facility": "ESS"})) == {"count": 3}
