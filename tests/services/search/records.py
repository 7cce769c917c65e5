"""The records the SciCat double serves, in the shapes backend v5.2.1 returns them (v3 routes).

They carry the PaNOSC spec's own example data (panosc-eu/search-api doc/*-example-queries.md:
photon energy 930 eV, temperature 20 °C, wavelength 1064 nm, a solid copper cylinder, x-ray
absorption, James Chadwick's proposal) laid out the way SciCat stores it: parameters in
``scientificMetadata`` with ``value``/``unit``, samples by ``sampleId``, files in
origdatablocks, documents as published data with ``pidArray``.
"""

from __future__ import annotations

from typing import Any

PREFIX = "20.500.12269"
INSTRUMENTS = [
    {"_id": f"{PREFIX}/loki", "pid": f"{PREFIX}/loki", "uniqueName": "LoKI", "name": "LoKI",
     "customMetadata": {}, "createdAt": "2020-05-01T00:00:00.000Z"},
    {"_id": f"{PREFIX}/odin", "pid": f"{PREFIX}/odin", "uniqueName": "ODIN", "name": "ODIN",
     "customMetadata": {}, "createdAt": "2020-05-01T00:00:01.000Z"},
    {"_id": f"{PREFIX}/estia", "pid": f"{PREFIX}/estia", "uniqueName": "ESTIA", "name": "ESTIA",
     "customMetadata": {}, "createdAt": "2020-05-01T00:00:02.000Z"},
]


def _dataset(n: int, *, title: str, metadata: dict[str, Any], instrument: str,
             sample: str | None, techniques: list[dict[str, str]], published: bool = True,
             proposal: str | None = "panosc-proposal2", description: str = "",
             keywords: list[str] | None = None) -> dict[str, Any]:
    pid = f"{PREFIX}/panosc-dataset{n}"
    return {
        "_id": pid, "pid": pid, "datasetName": title, "type": "raw",
        "description": description, "keywords": keywords or [],
        "owner": "Ernest Rutherford", "ownerGroup": "group1", "accessGroups": [],
        "isPublished": published, "creationTime": f"2020-05-0{n}T15:01:02.341Z",
        "size": 1000 * n, "numberOfFiles": 1, "scientificMetadata": metadata,
        "instrumentId": f"{PREFIX}/{instrument}", "sampleId": sample, "proposalId": proposal,
        "techniques": techniques, "sourceFolder": f"/data/panosc/{n}",
        "createdAt": f"2020-05-0{n}T15:01:03.000Z", "updatedAt": f"2020-05-0{n}T15:01:03.000Z",
    }


XAS = [{"pid": "PaNET01196", "name": "x-ray absorption"}]
DIFFRACTION = [{"pid": "PaNET01188", "name": "x-ray diffraction"}]
DATASETS = [
    _dataset(1, title="PaNOSC Test Dataset 1", instrument="loki", sample="panosc-sample2",
             techniques=DIFFRACTION, proposal="panosc-proposal1",
             description="Copper powder measured at room temperature",
             keywords=["copper", "powder"],
             metadata={"chemical_formula": {"value": "Cu", "unit": ""},
                       "sample_state": {"value": "solid", "unit": ""},
                       "photon_energy": {"value": 12.4, "unit": "keV"}}),
    _dataset(2, title="PaNOSC Test Dataset 2", instrument="odin", sample=None,
             techniques=DIFFRACTION, proposal="panosc-proposal1",
             description="Soft x-ray spectrum of a thin film",
             metadata={"photon_energy": {"value": 930, "unit": "eV", "valueSI": 1.49e-16,
                                         "unitSI": "(kg m^2) / s^2"}}),
    _dataset(3, title="PaNOSC Test Dataset 3", instrument="estia", sample="panosc-sample1",
             techniques=XAS, description="Temperature scan of a copper cylinder",
             keywords=["temperature", "copper"],
             metadata={"temperature": {"value": 20, "unit": "celsius"}}),
    _dataset(4, title="PaNOSC Test Dataset 4", instrument="estia", sample="panosc-sample1",
             techniques=XAS, description="Laser heated copper",
             metadata={"wavelength": {"value": 1064, "unit": "nm"},
                       "temperature": {"value": 400, "unit": "K"}}),
    _dataset(5, title="Unpublished Dataset 5", instrument="loki", sample=None,
             techniques=XAS, published=False,
             metadata={"photon_energy": {"value": 950, "unit": "eV"}}),
]
ORIGDATABLOCKS = {
    DATASETS[0]["pid"]: [{"_id": "odb1", "datasetId": DATASETS[0]["pid"], "size": 2048,
                          "dataFileList": [
                              {"path": "raw/panosc-file1.hdf", "size": 1024,
                               "time": "2020-05-01T15:00:00.000Z"},
                              {"path": "raw/panosc-file1b.hdf", "size": 1024,
                               "time": "2020-05-01T15:00:00.000Z"}]}],
    DATASETS[1]["pid"]: [{"_id": "odb2", "datasetId": DATASETS[1]["pid"], "size": 10,
                          "dataFileList": [{"path": "panosc-file2.nxs", "size": 10,
                                            "time": "2020-05-02T15:00:00.000Z"}]}],
    DATASETS[2]["pid"]: [{"_id": "odb3", "datasetId": DATASETS[2]["pid"], "size": 10,
                          "dataFileList": [{"path": "scans/temperature.h5", "size": 10,
                                            "time": "2020-05-03T15:00:00.000Z"}]}],
}
SAMPLES = [
    {"_id": "panosc-sample1", "sampleId": "panosc-sample1", "sampleName": "solid copper cylinder",
     "description": "A cylinder of copper", "isPublished": True, "ownerGroup": "group1",
     "createdAt": "2020-05-01T00:00:00.000Z"},
    {"_id": "panosc-sample2", "sampleId": "panosc-sample2", "sampleName": "copper powder",
     "description": "Fine copper powder", "isPublished": True, "ownerGroup": "group1",
     "createdAt": "2020-05-01T00:00:01.000Z"},
]
PROPOSALS = {
    "panosc-proposal1": {"proposalId": "panosc-proposal1", "title": "Copper under pressure",
                         "abstract": "Diffraction of copper powders", "pi_firstname": "Marie",
                         "pi_lastname": "Curie", "firstname": "Marie", "lastname": "Curie",
                         "startTime": "2020-04-01T00:00:00.000Z",
                         "endTime": "2020-06-01T00:00:00.000Z", "isPublished": False,
                         "ownerGroup": "group1"},
    "panosc-proposal2": {"proposalId": "panosc-proposal2", "title": "PaNOSC Test Proposal",
                         "abstract": "Absorption of a solid copper cylinder",
                         "pi_firstname": "James", "pi_lastname": "Chadwick",
                         "firstname": "Lise", "lastname": "Meitner", "isPublished": False,
                         "ownerGroup": "group1"},
}


def _published(n: int, *, title: str, abstract: str, pids: list[str], status: str,
               creators: list[str], year: int) -> dict[str, Any]:
    doi = f"10.5072/panosc-document{n}"
    return {
        "_id": doi, "doi": doi, "title": title, "abstract": abstract,
        "dataDescription": "https://example.org/data-description", "creator": creators,
        "authors": [], "publisher": "PaNOSC Test Facility", "publicationYear": year,
        "resourceType": "raw", "pidArray": pids, "affiliation": "European Spallation Source",
        "numberOfFiles": None, "sizeOfArchive": None, "status": status,
        "registeredTime": f"{year}-06-0{n}T10:00:00.000Z" if status == "registered" else None,
        "url": f"https://doi.org/{doi}", "createdAt": f"{year}-06-0{n}T09:00:00.000Z",
        "updatedAt": f"{year}-06-0{n}T10:00:00.000Z",
    }


PUBLISHED_DATA = [
    _published(1, title="PaNOSC Test Publication", abstract="Wavelength 1064 nm laser study of "
               "copper", pids=[DATASETS[0]["pid"], DATASETS[1]["pid"], DATASETS[3]["pid"]],
               status="registered", creators=["Ernest Rutherford", "Niels Bohr"], year=2020),
    _published(2, title="Temperature dependence of copper absorption", abstract="Absorption "
               "spectra of copper between 20 and 400 degrees", pids=[DATASETS[2]["pid"]],
               status="registered", creators=["James Chadwick"], year=2021),
    _published(3, title="A private draft", abstract="Not yet registered",
               pids=[DATASETS[0]["pid"]], status="pending_registration",
               creators=["Ernest Rutherford"], year=2022),
]


def many_published(count: int) -> list[dict[str, Any]]:
    """``count`` registered records over several years, every one naming dataset 1; for paging."""
    found = []
    for n in range(count):
        year = 2018 + n % 5
        doi = f"10.5072/bulk-{n:04d}"
        found.append({
            "_id": doi, "doi": doi, "title": f"Bulk publication {n}",
            "abstract": f"Abstract {n}", "dataDescription": "", "creator": [f"Author {n}"],
            "authors": [], "publisher": "PaNOSC Test Facility", "publicationYear": year,
            "resourceType": "derived", "pidArray": [DATASETS[0]["pid"]], "status": "registered",
            "registeredTime": f"{year}-01-01T00:00:00.000Z",
            "createdAt": f"{year}-01-01T00:00:{n % 60:02d}.000Z",
            # Many records share a datestamp: paging must still give each one exactly once.
            "updatedAt": f"{year}-03-01T12:00:{(n // 7) % 60:02d}.000Z",
        })
    return found
