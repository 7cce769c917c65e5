"""searchapi beyond the spec's examples: relevance, counts, ids, files, paging, freshness,
bad filters (always a 4xx that names the problem, never a 5xx) and a backend that is down."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support import free_port

from .scicat_double import State
from .test_searchapi_spec import DS, get, pids


def test_query_scores_rank_the_items_that_share_its_terms(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Datasets", query="temperature copper")
    scores = [d["score"] for d in found]
    assert pids(found)[0] == f"{DS}3"  # title, description and keywords all match
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert f"{DS}2" not in pids(found)  # shares no term: upstream drops zero scores


def test_query_inside_the_filter_is_the_same_as_the_parameter(searchapi: TestClient) -> None:
    assert get(searchapi, "/api/Documents", {"query": "temperature", "limit": 1}) == get(
        searchapi, "/api/Documents", {"limit": 1}, query="temperature")
    top = get(searchapi, "/api/Documents", query="temperature")[0]
    assert top["pid"] == "10.5072/panosc-document2" and top["score"] > 0


def test_query_combines_with_where_and_limit(searchapi: TestClient) -> None:
    found = get(searchapi, "/api/Documents", {"where": {"type": "proposal"}, "limit": 1},
                query="copper")
    assert len(found) == 1 and found[0]["type"] == "proposal"


def test_count_find_by_id_and_case_insensitive_paths(searchapi: TestClient) -> None:
    assert get(searchapi, "/api/Datasets/count") == {"count": 4}
    assert get(searchapi, "/api/datasets/count",
               where=json.dumps({"title": {"like": "Dataset [12]$"}})) == {"count": 2}
    one = get(searchapi, f"/api/Datasets/{DS.replace('/', '%2F')}3",
              {"include": [{"relation": "samples"}, {"relation": "instrument"}]})
    assert one["pid"] == f"{DS}3" and one["instrument"]["name"] == "ESTIA"
    assert one["samples"][0]["pid"] == "panosc-sample1"
    assert get(searchapi, "/api/Documents/10.5072/panosc-document2")["type"] == "publication"
    missing = searchapi.get("/api/Datasets/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == 'Unknown "Dataset" id "nope".'


def test_dataset_files_and_their_count(searchapi: TestClient) -> None:
    files = get(searchapi, f"/api/Datasets/{DS}1/files", {"where": {"size": {"gt": 100}}})
    assert [f["name"] for f in files] == ["panosc-file1.hdf", "panosc-file1b.hdf"]
    assert get(searchapi, f"/api/Datasets/{DS}1/files/count") == {"count": 2}
    assert get(searchapi, f"/api/Datasets/{DS}1/files/count",
               where=json.dumps({"name": "panosc-file1.hdf"})) == {"count": 1}
    assert searchapi.get(f"/api/Datasets/{DS}9/files").status_code == 404


def test_only_public_data_is_indexed(searchapi: TestClient) -> None:
    assert f"{DS}5" not in pids(get(searchapi, "/api/Datasets"))
    assert searchapi.get(f"/api/Datasets/{DS}5").status_code == 404
    documents = pids(get(searchapi, "/api/Documents"))
    assert "10.5072/panosc-document3" not in documents  # not registered


def test_skip_limit_and_order_page_through_everything(searchapi: TestClient) -> None:
    seen = []
    for skip in range(0, 10, 3):
        seen += pids(get(searchapi, "/api/Datasets",
                         {"skip": skip, "limit": 3, "order": "creationDate DESC"}))
    assert seen == [f"{DS}4", f"{DS}3", f"{DS}2", f"{DS}1"]
    assert get(searchapi, "/api/Datasets", {"fields": ["pid"], "limit": 1}) == [{"pid": f"{DS}1"}]
    assert get(searchapi, "/api/Datasets", {"fields": {"pid": True, "score": True},
                                            "limit": 1}) == [{"pid": f"{DS}1", "score": 0.0}]


def test_new_published_data_is_found_on_the_next_request(
        searchapi: TestClient, scicat: State) -> None:
    assert "10.5072/panosc-document3" not in pids(get(searchapi, "/api/Documents"))
    scicat.published_data[2]["status"] = "registered"
    scicat.published_data[2]["updatedAt"] = "2030-01-01T00:00:00.000Z"
    assert "10.5072/panosc-document3" in pids(get(searchapi, "/api/Documents"))


def test_without_an_account_proposals_stay_out(backend_transport: httpx.ASGITransport) -> None:
    from panosc_search.app import create_app
    from panosc_search.settings import Settings

    settings = Settings.from_env({"BACKEND_URL": "http://scicat.test"})
    with TestClient(create_app(settings, transport=backend_transport)) as client:
        types = {d["type"] for d in get(client, "/api/Documents")}
    assert types == {"publication"}


BAD_FILTERS: list[tuple[str, Any, str]] = [
    ("/api/Datasets", "{not json", "filter: is not valid JSON"),
    ("/api/Datasets", [], "filter: must be a JSON object"),
    ("/api/Datasets", {"where": {"titel": "x"}}, "filter.where.titel: Dataset has no property"),
    ("/api/Datasets", {"wher": {}}, "filter.wher: unknown filter key"),
    ("/api/Datasets", {"where": {"size": {"gtx": 1}}}, "filter.where.size.gtx: unknown operator"),
    ("/api/Datasets", {"where": {"size": {"between": [1]}}}, "needs a list of two bounds"),
    ("/api/Datasets", {"where": {"and": {}}}, "filter.where.and: must be a non-empty list"),
    ("/api/Datasets", {"where": {"title": {"regexp": "(["}}}, "is not a valid pattern"),
    ("/api/Datasets", {"where": {"title": {"regexp": "^(a+)+$"}}}, "exponential time"),
    ("/api/Datasets", {"where": {"title": {"like": "x" * 300}}}, "limited to 256 characters"),
    ("/api/Datasets", {"where": {"creationDate": {"gt": "yesterday"}}}, "is a date"),
    ("/api/Datasets", {"limit": -1}, "filter.limit: must be a non-negative integer"),
    ("/api/Datasets", {"skip": "ten"}, "filter.skip: must be a non-negative integer"),
    ("/api/Datasets", {"order": "colour ASC"}, "filter.order"),
    ("/api/Datasets", {"include": [{"relation": "authors"}]},
     "filter.include[0].relation: Dataset has no relation 'authors'"),
    ("/api/Datasets", {"include": [{"relation": "files", "scope": {"where": {"nam": "x"}}}]},
     "filter.include[0].scope.where.nam: File has no property"),
    ("/api/Documents", {"include": [{"relation": "datasets", "scope": {"include": [
        {"relation": "parameters", "scope": {"where": {"and": [{"nme": "x"}]}}}]}}]},
     "filter.include[0].scope.include[0].scope.where.and[0].nme: Parameter has no property"),
    ("/api/Datasets", {"query": 5}, "filter.query: must be a string"),
    ("/api/Instruments", {"include": 7}, "filter.include: must be a relation name"),
]


@pytest.mark.parametrize(("path", "filter_", "message"), BAD_FILTERS)
def test_bad_filters_are_400_with_the_place_and_the_reason(
        searchapi: TestClient, path: str, filter_: Any, message: str) -> None:
    raw = filter_ if isinstance(filter_, str) else json.dumps(filter_)
    response = searchapi.get(path, params={"filter": raw})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["statusCode"] == 400 and error["name"] == "FilterError"
    assert message in error["message"]


def test_bad_where_on_count_is_400(searchapi: TestClient) -> None:
    response = searchapi.get("/api/Documents/count", params={"where": '{"type": {"in": 1}}'})
    assert response.status_code == 400
    assert "where.type.in: unknown operator" in response.json()["error"]["message"]


def _garbage(rng: random.Random, depth: int = 0) -> Any:
    choices: list[Any] = [None, True, 3, -1, 2.5, "x", "%", "/(/", "2020-01-01", [], {}]
    if depth < 3:
        keys = ["where", "include", "limit", "skip", "order", "fields", "relation", "scope",
                "and", "or", "name", "value", "unit", "title", "pid", "gt", "between", "inq",
                "like", "text", "datasets", "parameters", "files"]
        choices.append({rng.choice(keys): _garbage(rng, depth + 1)
                        for _ in range(rng.randint(1, 3))})
        choices.append([_garbage(rng, depth + 1) for _ in range(rng.randint(1, 3))])
    return rng.choice(choices)


def test_no_filter_ever_causes_a_5xx(backend_transport: httpx.ASGITransport) -> None:
    from panosc_search.app import create_app
    from panosc_search.settings import Settings

    settings = Settings.from_env({"BACKEND_URL": "http://scicat.test",
                                  "CHANGE_CHECK_SECONDS": "600"})
    rng = random.Random(18)
    with TestClient(create_app(settings, transport=backend_transport)) as searchapi:
        _fuzz(searchapi, rng)


def _fuzz(searchapi: TestClient, rng: random.Random) -> None:
    for _ in range(300):
        raw = json.dumps(_garbage(rng))
        for path in ("/api/Datasets", "/api/Documents", "/api/Instruments", "/api/Samples",
                     "/api/Techniques", f"/api/Datasets/{DS}1/files"):
            response = searchapi.get(path, params={"filter": raw, "query": "copper"})
            assert response.status_code < 500, (path, raw, response.text)
        response = searchapi.get("/api/Datasets/count", params={"where": raw})
        assert response.status_code < 500, (raw, response.text)


@pytest.fixture
def dead_backend() -> Iterator[TestClient]:
    from panosc_search.app import create_app
    from panosc_search.settings import Settings

    settings = Settings.from_env({"BACKEND_URL": f"http://127.0.0.1:{free_port()}"})
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_backend_that_is_down_gives_503_within_a_second(dead_backend: TestClient) -> None:
    for path in ("/health", "/api/Datasets"):
        started = time.monotonic()
        response = dead_backend.get(path)
        assert response.status_code == 503
        assert time.monotonic() - started < 1.0
        assert "did not answer" in response.json()["error"]["message"]


def test_a_backend_without_published_data_still_serves_datasets(
        searchapi: TestClient, scicat: State) -> None:
    scicat.published_api = False
    assert len(get(searchapi, "/api/Datasets")) == 4
    assert {d["type"] for d in get(searchapi, "/api/Documents")} == {"proposal"}
    assert searchapi.get("/health").status_code == 200
