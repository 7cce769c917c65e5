"""The three search checks as pure functions, for the integrator to wire into ``scicatlive check``
(``search.panosc``, ``search.oaipmh``, ``search.landing``).

Each takes ``httpx.Client``s (base URL set: the backend's root, the service's root) and returns a
one-line summary, or raises ``SearchCheckFailed`` (expected vs found) or ``SearchCheckSkipped``.
Only the standard library and httpx: no pint, no lxml.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import httpx

OAI = "{http://www.openarchives.org/OAI/2.0/}"
# A unit the seeded metadata uses → another unit of the same dimension and the factor to it.
OTHER_UNIT: dict[str, tuple[str, float]] = {
    "angstrom": ("nm", 0.1), "Å": ("nm", 0.1), "nm": ("angstrom", 10.0),
    "keV": ("eV", 1000.0), "eV": ("keV", 0.001), "mm": ("um", 1000.0), "um": ("mm", 0.001),
    "m": ("mm", 1000.0), "deg": ("rad", math.pi / 180), "s": ("ms", 1000.0),
    "ms": ("s", 0.001), "K": ("mK", 1000.0), "Hz": ("kHz", 0.001),
}
MAX_LANDING_PAGES = 50


class SearchCheckFailed(Exception):
    pass


class SearchCheckSkipped(Exception):
    pass


def public_published_data(backend: httpx.Client) -> list[dict[str, Any]]:
    """Every registered published-data record, as the backend lists them to the public."""
    found: dict[str, dict[str, Any]] = {}
    skip = 0
    while True:
        spec = {"limits": {"limit": 500, "skip": skip}}
        response = backend.get("/api/v3/publisheddata", params={"filter": json.dumps(spec)})
        if response.status_code == 404:
            return []
        response.raise_for_status()
        page = response.json()
        found.update({p["doi"]: p for p in page if isinstance(p, dict) and "doi" in p})
        if len(page) < 500:
            return list(found.values())
        skip += 500


def _numeric_parameter(dataset: dict[str, Any]) -> tuple[str, float, str] | None:
    for name, entry in (dataset.get("scientificMetadata") or {}).items():
        if not isinstance(entry, dict):
            continue
        value, unit = entry.get("value"), entry.get("unit")
        if (isinstance(value, (int, float)) and not isinstance(value, bool) and value
                and unit in OTHER_UNIT):
            return name, float(value), str(unit)
    return None


def panosc_parameter(backend: httpx.Client, searchapi: httpx.Client) -> str:
    """search.panosc: a published dataset is found by a query on one of its parameters, asked in
    another unit of the same dimension, and the parameter comes back in the asked unit."""
    spec = {"where": {"isPublished": True}, "limits": {"limit": 200, "skip": 0}}
    datasets = backend.get("/api/v3/datasets", params={"filter": json.dumps(spec)}).json()
    chosen = next(((d, p) for d in datasets if (p := _numeric_parameter(d))), None)
    if chosen is None:
        raise SearchCheckSkipped("no published dataset has a numeric parameter with a unit")
    dataset, (name, value, unit) = chosen
    other, factor = OTHER_UNIT[unit]
    asked = value * factor
    low, high = sorted((asked * (1 - 1e-6), asked * (1 + 1e-6)))
    query = {"include": [{"relation": "parameters", "scope": {"where": {"and": [
        {"name": name}, {"value": {"between": [low, high]}}, {"unit": other}]}}}]}
    response = searchapi.get("/api/Datasets", params={"filter": json.dumps(query)})
    if response.status_code != 200:
        raise SearchCheckFailed(f"GET /api/Datasets ({name} in {other}): expected 200, got "
                                f"{response.status_code} {response.text[:200]}")
    hits = {d["pid"]: d for d in response.json()}
    if dataset["pid"] not in hits:
        raise SearchCheckFailed(f"{name} between {low:g} and {high:g} {other}: expected dataset "
                                f"{dataset['pid']} ({value:g} {unit}), found {sorted(hits)[:5]}")
    shown = next(p for p in hits[dataset["pid"]]["parameters"] if p["name"] == name)
    if shown["unit"] != other or not math.isclose(shown["value"], asked, rel_tol=1e-6):
        raise SearchCheckFailed(f"{name} of {dataset['pid']}: expected {asked:g} {other}, "
                                f"got {shown['value']} {shown['unit']}")
    return (f"{dataset['pid']} found by {name} = {asked:g} {other} (stored as {value:g} {unit}) "
            f"among {len(hits)} hits")


def harvest_identifiers(oai: httpx.Client, path: str = "/oai") -> list[str]:
    """Every identifier a ListIdentifiers harvest yields, following resumption tokens."""
    identifiers: list[str] = []
    params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    for _ in range(100000):
        response = oai.get(path, params=params)
        if response.status_code != 200:
            raise SearchCheckFailed(f"OAI {params}: expected 200, got {response.status_code}")
        tree = ET.fromstring(response.content)
        error = tree.find(f"{OAI}error")
        if error is not None:
            if error.get("code") == "noRecordsMatch":
                return identifiers
            raise SearchCheckFailed(f"OAI {params}: {error.get('code')}: {error.text}")
        identifiers += [e.text or "" for e in tree.iter(f"{OAI}identifier")]
        token = tree.find(f".//{OAI}resumptionToken")
        if token is None or not (token.text or "").strip():
            return identifiers
        params = {"verb": "ListIdentifiers", "resumptionToken": token.text.strip()}
    raise SearchCheckFailed("OAI harvest: the resumption tokens never end")


def oaipmh_complete(backend: httpx.Client, oai: httpx.Client) -> str:
    """search.oaipmh: a harvest returns every registered published-data record exactly once."""
    expected = {p["doi"] for p in public_published_data(backend)}
    harvested = harvest_identifiers(oai)
    if not expected and not harvested:
        raise SearchCheckSkipped("nothing is published (no registered published data)")
    twice = sorted({i for i in harvested if harvested.count(i) > 1})
    if twice:
        raise SearchCheckFailed(f"OAI harvest: expected each record once, got twice: {twice[:5]}")
    missing, extra = sorted(expected - set(harvested)), sorted(set(harvested) - expected)
    if missing or extra:
        raise SearchCheckFailed(f"OAI harvest vs the API's published data: missing {missing[:5]}"
                                f", unexpected {extra[:5]}")
    return f"a harvest returned all {len(expected)} published-data records once"


def landing_pages(backend: httpx.Client, landing: httpx.Client) -> str:
    """search.landing: each DOI's page answers and names each of its datasets."""
    records = public_published_data(backend)
    if not records:
        raise SearchCheckSkipped("nothing is published (no registered published data)")
    for record in records[:MAX_LANDING_PAGES]:
        response = landing.get(f"/detail/{quote(record['doi'], safe='/')}")
        if response.status_code != 200:
            raise SearchCheckFailed(f"landing page of {record['doi']}: expected 200, got "
                                    f"{response.status_code}")
        absent = [pid for pid in record.get("pidArray") or [] if pid not in response.text]
        if absent:
            raise SearchCheckFailed(f"landing page of {record['doi']}: datasets {absent[:3]} "
                                    "are not on it")
    return f"{min(len(records), MAX_LANDING_PAGES)} DOI pages answer with their datasets"
