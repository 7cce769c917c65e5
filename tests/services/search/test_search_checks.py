"""scicatlive's search checks (scicatlive/checks/search.py) against the three search services,
each served on loopback over the recorded SciCat double: they pass on a right stack, and each
fails when its service disagrees with the backend."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from scicatlive.checks import Selection, Status, Target, run_checks
from tests.support import serve_app

from . import records
from .scicat_double import State, create_double
from .test_landingpage import make_settings

SEARCH = ["search.panosc", "search.oaipmh", "search.landing"]


@contextmanager
def search_stack(backend: State, tmp_path: Path, served: State | None = None) -> Iterator[Target]:
    """The double as the backend, and the three services reading ``served`` (default: the same)."""
    from landing_page.app import create_app as landing_app
    from oai_provider.app import create_app as oai_app
    from oai_provider.settings import Settings as OaiSettings
    from panosc_search.app import create_app as search_app
    from panosc_search.settings import Settings as SearchSettings

    with ExitStack() as stack:
        backend_url = stack.enter_context(serve_app(create_double(backend)))
        source = backend_url if served is None else stack.enter_context(serve_app(create_double(served)))
        search = search_app(SearchSettings.from_env({
            "BACKEND_URL": source, "SCICAT_USERNAME": "proposalIngestor", "SCICAT_PASSWORD": "secret",
            "CHANGE_CHECK_SECONDS": "0"}))  # fmt: skip
        oai = oai_app(OaiSettings.from_env({
            "SCICAT_BACKEND_URL": source, "ADMIN_USER_EMAIL": "support@scicat.eu", "RECORDS_PER_PAGE": "4"}))  # fmt: skip
        landing = landing_app(make_settings(tmp_path, BACKEND_URL=source))
        yield Target(
            backend_url=backend_url, features=("search",),
            searchapi_url=stack.enter_context(serve_app(search)),
            oai_url=stack.enter_context(serve_app(oai)) + "/scicat/oai",
            landing_url=stack.enter_context(serve_app(landing)),
        )  # fmt: skip


def _results(target: Target) -> dict[str, tuple[Status, str]]:
    report = run_checks(target, Selection.parse(only=SEARCH))
    return {r.id: (r.status, r.message) for r in report.results}


@pytest.fixture
def published() -> State:
    state = State()
    state.published_data += records.many_published(30)
    return state


def test_the_three_checks_pass(published: State, tmp_path: Path) -> None:
    with search_stack(published, tmp_path) as target:
        results = _results(target)
    assert {k: s for k, (s, _) in results.items()} == dict.fromkeys(SEARCH, Status.PASSED), results
    assert results["search.panosc"][1].startswith(
        "20.500.12269/panosc-dataset1 found by photon_energy = 12400 eV (stored as 12.4 keV)")
    # 32 registered records, 4 per page: the harvest followed 7 resumption tokens.
    assert results["search.oaipmh"][1] == "ListRecords returned all 32 published-data records once, in 8 page(s)"
    assert results["search.landing"][1] == "32 of 32 DOI pages answer with their datasets"


def test_a_record_the_provider_does_not_serve_fails_the_harvest(published: State, tmp_path: Path) -> None:
    partial = copy.deepcopy(published)
    partial.published_data = [p for p in partial.published_data if p["doi"] != "10.5072/bulk-0007"]
    with search_stack(published, tmp_path, served=partial) as target:
        status, message = _results(target)["search.oaipmh"]
    assert status is Status.FAILED
    assert message == ("OAI-PMH ListRecords vs the backend's published data: expected 32 records, "
                       "missing ['10.5072/bulk-0007'], unexpected []")  # fmt: skip


def test_a_page_without_one_of_its_datasets_fails_landing(published: State, tmp_path: Path) -> None:
    shorter = copy.deepcopy(published)
    shorter.published_data[0]["pidArray"] = shorter.published_data[0]["pidArray"][:1]
    with search_stack(published, tmp_path, served=shorter) as target:
        status, message = _results(target)["search.landing"]
    assert status is Status.FAILED
    assert message.startswith("landing page of 10.5072/panosc-document1: expected its 3 datasets, 2 are not on it")


def test_a_parameter_the_search_api_holds_otherwise_fails_panosc(published: State, tmp_path: Path) -> None:
    drifted = copy.deepcopy(published)
    drifted.datasets[0]["scientificMetadata"]["photon_energy"]["value"] = 12.5
    with search_stack(published, tmp_path, served=drifted) as target:
        status, message = _results(target)["search.panosc"]
    assert status is Status.FAILED
    assert message.startswith("photon_energy between 12400 and 12400 eV: expected dataset "
                              "20.500.12269/panosc-dataset1 (12.4 keV), found")  # fmt: skip


def test_nothing_published_is_a_skip_and_so_is_the_feature_off(tmp_path: Path) -> None:
    state = State()
    state.published_api = False
    with search_stack(state, tmp_path) as target:
        results = _results(target)
        assert results["search.oaipmh"] == (Status.SKIPPED, "nothing is published (no registered published data)")
        assert results["search.landing"] == (Status.SKIPPED, "nothing is published (no registered published data)")
        off = _results(target.model_copy(update={"features": ()}))
    assert all(s is Status.SKIPPED and m.startswith("feature search is off") for s, m in off.values()), off
