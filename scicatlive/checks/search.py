"""search.panosc, search.oaipmh, search.landing: the catalogue's public face (feature search).

They read only what the public reads: the backend anonymously, and the PaNOSC search
API, the OAI-PMH provider and the DOI landing pages over HTTP, so they judge SciCat's
own services (SciCatLive's images) as well as ours.

* ``search.panosc``: a published dataset is found by a PaNOSC query on one of its
  numeric parameters, asked in another unit of the same dimension, and the parameter
  comes back in the asked unit;
* ``search.oaipmh``: a harvester's ``ListRecords`` (``oai_dc``), following resumption
  tokens, returns every registered published-data record of the backend exactly once;
* ``search.landing``: each DOI's landing page answers and names each of its datasets.

The functions below take the services' sessions, so they also run outside a check run.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote, urlsplit

from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.http import Session, describe
from scicatlive.clients.scicat import V3

OAI = "{http://www.openarchives.org/OAI/2.0/}"
# A unit the seeded metadata uses → another unit of the same dimension and the factor to it.
OTHER_UNIT: dict[str, tuple[str, float]] = {
    "angstrom": ("nm", 0.1), "Å": ("nm", 0.1), "nm": ("angstrom", 10.0),
    "keV": ("eV", 1000.0), "eV": ("keV", 0.001), "mm": ("um", 1000.0), "um": ("mm", 0.001),
    "m": ("mm", 1000.0), "deg": ("rad", math.pi / 180), "s": ("ms", 1000.0),
    "ms": ("s", 0.001), "K": ("mK", 1000.0), "Hz": ("kHz", 0.001),
}  # fmt: skip
PAGE = 500
MAX_LANDING_PAGES = 50
MAX_OAI_PAGES = 10_000
NOTHING_PUBLISHED = "nothing is published (no registered published data)"


def public_published_data(backend: Session) -> list[dict[str, Any]]:
    """Every registered published-data record, as the backend lists them to the public."""
    found: dict[str, dict[str, Any]] = {}
    skip = 0
    while True:
        spec = {"limits": {"limit": PAGE, "skip": skip}}
        answer = backend.send("list published data anonymously", "GET", f"{V3}/publisheddata", params={"filter": json.dumps(spec)})
        if answer.status_code == 404:
            return []  # a backend from before the published-data API
        if answer.status_code != 200:
            raise CheckFailed(f"list published data anonymously: expected 200, got {describe(answer)}")
        page = answer.json()
        found.update({p["doi"]: p for p in page if isinstance(p, dict) and "doi" in p})
        if len(page) < PAGE:
            return list(found.values())
        skip += PAGE


# -- search.panosc -----------------------------------------------------------------------------


def _numeric_parameter(dataset: dict[str, Any]) -> tuple[str, float, str] | None:
    for name, entry in (dataset.get("scientificMetadata") or {}).items():
        if not isinstance(entry, dict):
            continue
        value, unit = entry.get("value"), entry.get("unit")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value and unit in OTHER_UNIT:
            return name, float(value), str(unit)
    return None


def panosc_parameter(backend: Session, searchapi: Session) -> str:
    spec = {"where": {"isPublished": True}, "limits": {"limit": 200, "skip": 0}}
    datasets = backend.expect("list published datasets anonymously", "GET", f"{V3}/datasets",
                              params={"filter": json.dumps(spec)}, status=(200,))  # fmt: skip
    chosen = next(((d, p) for d in datasets or [] if (p := _numeric_parameter(d))), None)
    if chosen is None:
        raise CheckSkipped("no published dataset has a numeric parameter with a unit")
    dataset, (name, value, unit) = chosen
    other, factor = OTHER_UNIT[unit]
    asked = value * factor
    low, high = sorted((asked * (1 - 1e-6), asked * (1 + 1e-6)))
    where = {"and": [{"name": name}, {"value": {"between": [low, high]}}, {"unit": other}]}
    query = {"include": [{"relation": "parameters", "scope": {"where": where}}]}
    answer = searchapi.send(f"PaNOSC query on {name} in {other}", "GET", "/api/Datasets", params={"filter": json.dumps(query)})
    if answer.status_code != 200:
        raise CheckFailed(f"GET /api/Datasets ({name} in {other}): expected 200, got {describe(answer)}")
    hits = {d["pid"]: d for d in answer.json()}
    if dataset["pid"] not in hits:
        raise CheckFailed(f"{name} between {low:g} and {high:g} {other}: expected dataset {dataset['pid']} "
                          f"({value:g} {unit}), found {sorted(hits)[:5]}")  # fmt: skip
    shown = next((p for p in hits[dataset["pid"]].get("parameters") or [] if p.get("name") == name), None)
    if shown is None or shown.get("unit") != other or not math.isclose(float(shown.get("value", math.nan)), asked, rel_tol=1e-6):
        raise CheckFailed(f"{name} of {dataset['pid']}: expected {asked:g} {other}, found {shown}")
    return f"{dataset['pid']} found by {name} = {asked:g} {other} (stored as {value:g} {unit}) among {len(hits)} hits"


# -- search.oaipmh -----------------------------------------------------------------------------


def harvest(oai: Session, path: str, verb: str = "ListRecords", prefix: str = "oai_dc") -> tuple[list[str], int]:
    """Every identifier a harvest at ``path`` yields, following resumption tokens; and how many pages it took."""
    identifiers: list[str] = []
    params = {"verb": verb, "metadataPrefix": prefix}
    for page in range(1, MAX_OAI_PAGES + 1):
        answer = oai.send(f"OAI-PMH {verb}", "GET", path, params=params)
        if answer.status_code != 200:
            raise CheckFailed(f"OAI-PMH {params}: expected 200, got {describe(answer)}")
        try:
            tree = ET.fromstring(answer.content)
        except ET.ParseError as error:
            raise CheckFailed(f"OAI-PMH {params}: expected an XML response, found {answer.text[:120]!r} ({error})") from None
        problem = tree.find(f"{OAI}error")
        if problem is not None:
            if problem.get("code") == "noRecordsMatch":
                return identifiers, page
            raise CheckFailed(f"OAI-PMH {params}: {problem.get('code')}: {problem.text}")
        for header in tree.iter(f"{OAI}header"):
            identifier = header.find(f"{OAI}identifier")
            if identifier is not None and header.get("status") != "deleted":
                identifiers.append((identifier.text or "").strip())
        token = tree.find(f".//{OAI}resumptionToken")
        if token is None or not (token.text or "").strip():
            return identifiers, page
        params = {"verb": verb, "resumptionToken": (token.text or "").strip()}
    raise CheckFailed(f"OAI-PMH harvest: the resumption tokens did not end after {MAX_OAI_PAGES} pages")


def oaipmh_complete(backend: Session, oai: Session, path: str = "") -> str:
    """``oai`` is the provider's origin (scheme and host), ``path`` its OAI-PMH route."""
    expected = {p["doi"] for p in public_published_data(backend)}
    harvested, pages = harvest(oai, path)
    if not expected and not harvested:
        raise CheckSkipped(NOTHING_PUBLISHED)
    twice = sorted({i for i in harvested if harvested.count(i) > 1})
    if twice:
        raise CheckFailed(f"OAI-PMH ListRecords: expected each record once, found twice: {twice[:5]}")
    missing, extra = sorted(expected - set(harvested)), sorted(set(harvested) - expected)
    if missing or extra:
        raise CheckFailed(f"OAI-PMH ListRecords vs the backend's published data: expected {len(expected)} records, "
                          f"missing {missing[:5]}, unexpected {extra[:5]}")  # fmt: skip
    return f"ListRecords returned all {len(expected)} published-data records once, in {pages} page(s)"


# -- search.landing ----------------------------------------------------------------------------


def landing_pages(backend: Session, landing: Session) -> str:
    records = public_published_data(backend)
    if not records:
        raise CheckSkipped(NOTHING_PUBLISHED)
    for record in records[:MAX_LANDING_PAGES]:
        doi = record["doi"]
        answer = landing.send(f"landing page of {doi}", "GET", f"/detail/{quote(doi, safe='/')}")
        if answer.status_code != 200:
            raise CheckFailed(f"landing page of {doi}: expected 200, got {describe(answer)}")
        if "<app-root" in answer.text and doi not in answer.text:
            raise CheckSkipped("the landing pages render in the browser (an Angular app): their datasets are not in the HTML")
        absent = [pid for pid in record.get("pidArray") or [] if pid not in answer.text]
        if absent:
            raise CheckFailed(f"landing page of {doi}: expected its {len(record.get('pidArray') or [])} datasets, "
                              f"{len(absent)} are not on it ({absent[:3]})")  # fmt: skip
    shown = min(len(records), MAX_LANDING_PAGES)
    return f"{shown} of {len(records)} DOI pages answer with their datasets"


# -- the checks --------------------------------------------------------------------------------


def _url(url: str | None, what: str, option: str) -> str:
    if url is None:
        raise CheckSkipped(f"no {what} in the target ({option})")
    return url


def _service(ctx: CheckContext, url: str | None, what: str, option: str) -> Session:
    return ctx.http(_url(url, what, option), what)


def search_panosc(ctx: CheckContext) -> str:
    return panosc_parameter(ctx.scicat(), _service(ctx, ctx.target.searchapi_url, "PaNOSC search API", "--searchapi-url"))


def search_oaipmh(ctx: CheckContext) -> str:
    base = urlsplit(_url(ctx.target.oai_url, "OAI-PMH provider", "--oai-url"))
    origin = ctx.http(f"{base.scheme}://{base.netloc}", "OAI-PMH provider")
    return oaipmh_complete(ctx.scicat(), origin, base.path)


def search_landing(ctx: CheckContext) -> str:
    return landing_pages(ctx.scicat(), _service(ctx, ctx.target.landing_url, "landing page server", "--landing-url"))


NEEDS: frozenset[Any] = frozenset({"search"})
CHECKS = [
    Check("search.panosc", "a published dataset is found by a PaNOSC query on a parameter in another unit, "
          "and comes back in that unit", search_panosc, needs=NEEDS),
    Check("search.oaipmh", "an OAI-PMH ListRecords harvest returns every registered published-data record once, "
          "through resumption tokens", search_oaipmh, needs=NEEDS),
    Check("search.landing", "each DOI's landing page answers and names its datasets", search_landing, needs=NEEDS),
]  # fmt: skip
