"""frontend-lite's pure parts: formatting, the puck geometry, ISPyB keys, the search query, config."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from frontend_lite import formatting, ispyb_keys, puck
from frontend_lite.backend import BackendClient, BackendError, BackendUnreachable, segment
from frontend_lite.config import ConfigError, load_config
from frontend_lite.models import Dataset, FacetCounts, LoginReply, Sample
from frontend_lite.paging import Paging, page_number
from frontend_lite.search import DatasetQuery, QueryError
from frontend_lite.session import safe_next
from frontend_lite.settings import Settings, SettingsError
from starlette.datastructures import QueryParams

T = TypeVar("T")


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (None, ""),
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (1_500_000, "1.5 MB"),
        (1_403_750_006, "1.4 GB"),
        (250e9, "250 GB"),
        (3.2e21, "3200 EB"),
    ],
)
def test_human_size_uses_decimal_units(size: float | None, shown: str) -> None:
    assert formatting.human_size(size) == shown


def test_times_are_shown_in_utc_and_odd_text_as_it_is() -> None:
    assert formatting.show_time("2024-03-04T08:00:00.000Z") == "2024-03-04 08:00 UTC"
    assert formatting.show_time("2024-03-04T10:00:05+02:00") == "2024-03-04 08:00:05 UTC"
    assert formatting.show_time("last tuesday") == "last tuesday"
    assert formatting.show_time(None) == ""


def test_metadata_rows_open_nested_objects_and_keep_units() -> None:
    rows = formatting.metadata_rows(
        {
            "wavelength": {
                "value": 0.9793,
                "unit": "angstrom",
                "valueSI": 9.793e-11,
                "unitSI": "m",
            },
            "statistics": {"overall": {"rMerge": {"value": 0.061, "unit": ""}}},
            "anomalous": {"value": False, "unit": None},
            "Beamline": "BL-A",
            "shells": [1, 2],
        }
    )
    assert [(r.name, r.value, r.unit) for r in rows] == [
        ("anomalous", "false", ""),
        ("Beamline", "BL-A", ""),
        ("shells", "[1, 2]", ""),
        ("statistics.overall.rMerge", "0.061", ""),
        ("wavelength", "0.9793", "angstrom"),
    ]
    assert formatting.metadata_rows(None) == []
    assert [formatting.show_value(v) for v in (90.0, 1.956e12, 0.5, 1e-05, None, [1])] == [
        "90",
        "1956000000000",
        "0.5",
        "1e-05",
        "",
        "[1]",
    ]


def test_long_paths_may_wrap_only_at_separators() -> None:
    from frontend_lite.pages import breakable

    assert str(breakable("/data/a-b<c>")) == "/<wbr>data/<wbr>a-<wbr>b&lt;c&gt;"
    assert str(breakable(None)) == ""


def _sample(kind: str | None = None, sample_id: str = "s", **characteristics: Any) -> Sample:
    return Sample(
        sampleId=sample_id,
        sampleName=sample_id,
        type=kind,
        sampleCharacteristics={k: {"value": v, "unit": ""} for k, v in characteristics.items()},
    )


def test_ispyb_keys_read_the_mapping_and_the_short_spellings() -> None:
    mapped = _sample("puck", Container_containerType="Unipuck", Container_capacity=16)
    short = Sample(
        sampleId="p",
        sampleCharacteristics={
            "ispybType": {"value": "puck"},
            "containerType": {"value": "Spinepuck"},
            "capacity": 10,
        },
    )
    assert (
        ispyb_keys.sample_kind(mapped) == "puck" and ispyb_keys.container_type(mapped) == "Unipuck"
    )
    assert ispyb_keys.capacity(mapped) == 16
    assert (
        ispyb_keys.sample_kind(short) == "puck" and ispyb_keys.container_type(short) == "Spinepuck"
    )
    assert ispyb_keys.capacity(short) == 10
    assert ispyb_keys.location(_sample("crystal", BLSample_location=5)) == 5
    assert ispyb_keys.location(_sample("crystal", location="7")) == 7
    assert ispyb_keys.location(_sample("crystal", location=2.5)) is None
    assert ispyb_keys.sample_kind(_sample("Sample")) == "crystal"
    assert ispyb_keys.sample_kind(_sample("powder")) is None


def _distance(a: puck.Position, b: puck.Position) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def test_unipuck_has_five_inner_and_eleven_outer_positions() -> None:
    unipuck = _sample("puck", Container_containerType="Unipuck", Container_capacity=16)
    children = [_sample("crystal", f"c{n}", BLSample_location=n) for n in (1, 6, 16)]
    layout = puck.layout(unipuck, children)
    assert layout.kind == "Unipuck" and layout.capacity == 16 and layout.filled == 3
    radii = [round(math.hypot(p.x - layout.centre, p.y - layout.centre)) for p in layout.positions]
    assert len(set(radii[:5])) == 1 and len(set(radii[5:])) == 1 and radii[0] < radii[5]
    assert {p.number: p.sample.sampleId for p in layout.positions if p.sample} == {
        1: "c1",
        6: "c6",
        16: "c16",
    }
    # No two positions overlap, and all lie inside the puck.
    positions = layout.positions
    assert (
        min(_distance(a, b) for i, a in enumerate(positions) for b in positions[i + 1 :])
        > 2 * layout.position_radius
    )
    assert all(
        _distance(p, puck.Position(0, layout.centre, layout.centre)) + layout.position_radius
        < layout.outline_radius
        for p in positions
    )


def test_spinepuck_and_unknown_containers() -> None:
    assert puck.layout(_sample("puck", Container_containerType="Spinepuck"), []).capacity == 10
    assert puck.layout(_sample("puck", capacity=10), []).kind == "Spinepuck"
    generic = puck.layout(
        _sample("puck", Container_containerType="Plate", Container_capacity=24), []
    )
    assert generic.kind == "Plate" and generic.capacity == 24


def test_children_without_a_usable_position_are_listed_apart() -> None:
    unipuck = _sample("puck", Container_containerType="Unipuck")
    children = [
        _sample("crystal", "a", BLSample_location=3),
        _sample("crystal", "b", BLSample_location=3),
        _sample("crystal", "c", BLSample_location=17),
        _sample("crystal", "d"),
    ]
    layout = puck.layout(unipuck, children)
    assert layout.filled == 1 and [s.sampleId for s in layout.unplaced] == ["b", "c", "d"]


def test_dataset_query_becomes_fullquery_fields() -> None:
    query = DatasetQuery.from_params(
        QueryParams(
            "text=lysozyme&type=raw&type=derived&keyword=MX&location=/S/BL-A&group=g1"
            "&start=2024-01-01&end=2024-01-31&pid=20.500/ab.c&sort=size&direction=asc&per_page=50&page=3"
        )
    )
    assert query.fields(published_only=True) == {
        "text": "lysozyme",
        "creationLocation": ["/S/BL-A"],
        "ownerGroup": ["g1"],
        "type": ["raw", "derived"],
        "keywords": ["MX"],
        "creationTime": {"begin": "2024-01-01T00:00:00.000Z", "end": "2024-01-31T23:59:59.999Z"},
        "mode": {"pid": {"$regex": r"20\.500/ab\.c", "$options": "i"}},
        "isPublished": True,
    }
    assert query.limits() == {"skip": 100, "limit": 50, "order": "size:asc"}
    assert DatasetQuery.from_params(QueryParams(query.url().split("?", 1)[1])) == query
    assert DatasetQuery().fields(published_only=False) == {}
    assert DatasetQuery().url() == "/datasets"


@pytest.mark.parametrize(
    "bad",
    ["per_page=7", "sort=secret", "start=2024-02-01&end=2024-01-01", "start=yesterday", "page=0"],
)
def test_bad_filters_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(QueryError):
        DatasetQuery.from_params(QueryParams(bad))


def test_sorting_links_toggle_the_direction() -> None:
    query = DatasetQuery(sort="name", direction="asc")
    assert "direction=desc" in query.sort_url("name")
    assert query.aria_sort("name") == "ascending" and query.aria_sort("size") == "none"
    assert "sort=size" in DatasetQuery().sort_url(
        "size"
    ) and "direction=desc" in DatasetQuery().sort_url("size")


def test_paging_labels() -> None:
    assert Paging(1, 25, 0).label == "0 of 0"
    assert Paging(1, 25, 112).label == "1 – 25 of 112" and Paging(1, 25, 112).pages == 5
    assert Paging(5, 25, 112).label == "101 – 112 of 112" and not Paging(5, 25, 112).has_next
    assert "past the end" in Paging(9, 25, 112).label
    assert page_number("x") == 1 and page_number("4") == 4 and page_number("-1") == 1


def test_facet_counts() -> None:
    reply = [
        {
            "type": [{"_id": "raw", "count": 3}, {"_id": "derived", "count": 5}],
            "keywords": [],
            "all": [{"totalSets": 8}],
        }
    ]
    counts = FacetCounts.from_reply(reply, ["type", "keywords", "ownerGroup"])
    assert counts.total == 8 and [b.value for b in counts.facets["type"]] == ["derived", "raw"]
    assert FacetCounts.from_reply([{"all": []}], ["type"]).total == 0


def test_models_accept_v3_replies() -> None:
    dataset = Dataset.model_validate(
        {
            "pid": "p/1",
            "proposalIds": ["MX1"],
            "keywords": None,
            "principalInvestigators": ["Ada"],
            "unknownField": 1,
        }
    )
    assert dataset.proposal == "MX1" and dataset.keywords == [] and dataset.pi == "Ada"
    assert LoginReply.model_validate({"id": "tok"}).token == "tok"
    with pytest.raises(ValueError, match="no token"):
        _ = LoginReply.model_validate({"user": {}}).token


def test_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    with pytest.raises(ConfigError, match="not found"):
        load_config(path)
    path.write_text("{")
    with pytest.raises(ConfigError, match="not JSON"):
        load_config(path)
    path.write_text(json.dumps({"siteTitle": "x"}))
    with pytest.raises(ConfigError, match="lbBaseURL"):
        load_config(path)
    path.write_text(json.dumps({"lbBaseURL": "backend:3000"}))
    with pytest.raises(ConfigError, match="http"):
        load_config(path)
    raw = {"lbBaseURL": "http://127.0.0.1:3000/", "siteTitle": "", "jobsEnabled": False}
    path.write_text(json.dumps(raw))
    config, served = load_config(path)
    assert config.lbBaseURL == "http://127.0.0.1:3000" and config.siteTitle == "SciCat"
    assert served == raw


def test_settings_need_a_session_secret() -> None:
    with pytest.raises(SettingsError, match="SESSION_SECRET"):
        Settings.from_env({})
    with pytest.raises(SettingsError, match="PORT"):
        Settings.from_env({"SESSION_SECRET": "x" * 32, "PORT": "99999"})
    settings = Settings.from_env({"SESSION_SECRET": "x" * 32, "BACKEND_INTERNAL_URL": ""})
    assert settings.backend_internal_url is None and settings.port == 8080


@pytest.mark.parametrize(
    ("target", "result"),
    [
        ("/datasets?text=a", "/datasets?text=a"),
        ("//evil.example", "/datasets"),
        ("https://evil.example/", "/datasets"),
        ("/\\evil", "/datasets"),
        (None, "/datasets"),
    ],
)
def test_redirects_after_login_stay_on_the_site(target: str | None, result: str) -> None:
    assert safe_next(target) == result


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API may hold this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_backend_client_names_each_failure() -> None:
    run(_backend_client_names_each_failure())


async def _backend_client_names_each_failure() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/down"):
            raise httpx.ConnectError("connection refused")
        if request.url.path.endswith("/slow"):
            raise httpx.ReadTimeout("slow")
        if request.url.path.endswith("/html"):
            return httpx.Response(200, text="<html>", headers={"content-type": "text/html"})
        if request.url.path.endswith("/denied"):
            return httpx.Response(403, json={"statusCode": 403, "message": ["no", "never"]})
        return httpx.Response(200, json={"ok": True})

    client = BackendClient("http://backend:3000/", transport=httpx.MockTransport(handler))
    with pytest.raises(BackendUnreachable, match="connection refused"):
        await client.get("/down", token=None, what="x")
    with pytest.raises(BackendUnreachable, match="in time"):
        await client.get("/slow", token=None, what="x")
    with pytest.raises(BackendError) as html:
        await client.get("/html", token=None, what="the page")
    assert html.value.status == 502 and "text/html" in html.value.message
    with pytest.raises(BackendError) as denied:
        await client.get("/denied", token="t", what="a dataset")
    assert denied.value.status == 403 and denied.value.message == "no; never"
    assert await client.get(
        "/datasets/fullquery", token="tok", what="x", fields={"text": "a b"}
    ) == {"ok": True}
    last = seen[-1]
    assert last.headers["authorization"] == "Bearer tok"
    assert (
        last.url.path == "/api/v3/datasets/fullquery"
        and last.url.params["fields"] == '{"text":"a b"}'
    )
    assert segment("20.500/ab c") == "20.500%2Fab%20c"
    await client.aclose()
