"""Pure logic (no database): filter translation, SI units, access rules, route case."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi import Request
from scicat_lite.access import Access, CreateRight
from scicat_lite.app import create_app
from scicat_lite.auth import User, duration_seconds
from scicat_lite.datasets import V3_POLICY, V4_POLICY, to_v3, v3_to_v4
from scicat_lite.deps import Body, Connection, Context, CurrentUser, Router
from scicat_lite.fastroute import WORKERS, WorkerThreads, endpoint_threads
from scicat_lite.filters import FilterError, FilterParser, WhereTranslator
from scicat_lite.identity.passwords import hash_password, verify_password
from scicat_lite.middleware import RouteCase
from scicat_lite.settings import GroupSettings, Settings
from scicat_lite.timeutil import format_iso
from scicat_lite.units import add_si_fields, to_si


def test_equality_uses_containment_with_bound_values() -> None:
    sql = WhereTranslator(V3_POLICY).translate({"ownerGroup": "g'1"})
    assert "g'1" not in sql.text
    assert json.loads(sql.params[0]) == {"ownerGroup": "g'1"}
    assert json.loads(sql.params[1]) == {"ownerGroup": ["g'1"]}


def test_loopback_names_and_operators_are_translated() -> None:
    sql = WhereTranslator(V3_POLICY).translate(
        {"proposalId": {"inq": ["a", "b"]}, "size": {"between": [1, 5]}}
    )
    assert sql.params[0] == '$."proposalIds" ? (@ == "a" || @ == "b")'
    assert "@?" in sql.text and ">=" in sql.text and "<=" in sql.text


def test_inq_is_one_jsonpath_test_and_null_means_missing_too() -> None:
    """One test per row whatever the list's length (an OR of containments re-read the document
    per value); a null in the list also matches a missing field, as Mongo's $in does."""
    sql = WhereTranslator(V3_POLICY).translate({"keywords": {"inq": ["x\"y", 2, None]}})
    assert sql.text.count("@?") == 1 and "IS NULL" in sql.text
    assert '$."keywords" ? (@ == "x\\"y" || @ == 2)' in sql.params


def test_creation_time_uses_indexed_column() -> None:
    sql = WhereTranslator(V3_POLICY).translate({"creationTime": {"gte": "2024-01-01"}})
    assert "creation_time >=" in sql.text
    assert sql.params == ("2024-01-01T00:00:00.000Z",)


@pytest.mark.parametrize(
    "where",
    [
        {"$where": "1"},
        {"a": {"$elemMatch": {}}},
        {"a": {"gt": 1, "bogus": 2}},
        {"or": []},
        {"a": {"inq": "x"}},
        {"a": {"regexp": "/x/q"}},
        {"": 1},
        "string",
    ],
)
def test_rejected_where(where: object) -> None:
    with pytest.raises(FilterError):
        WhereTranslator(V3_POLICY).translate(where)


def test_depth_and_size_limits() -> None:
    deep: dict[str, object] = {"a": 1}
    for _ in range(20):
        deep = {"and": [deep]}
    with pytest.raises(FilterError):
        WhereTranslator(V3_POLICY).translate(deep)
    with pytest.raises(FilterError):
        WhereTranslator(V3_POLICY).translate({"or": [{"a": i} for i in range(500)]})


def test_v4_allows_only_dataset_fields_and_mongo_operators() -> None:
    parser = FilterParser(V4_POLICY, loopback=False)
    parser.where({"$or": [{"datasetName": "x"}, {"scientificMetadata.t.value": {"$gt": 1}}]})
    with pytest.raises(FilterError, match="Property inq should not exist"):
        parser.where({"inq": 1})
    with pytest.raises(FilterError):
        parser.where({"principalInvestigator": "x"})


def test_limits_and_order() -> None:
    query = FilterParser(V3_POLICY).query(
        {"limits": {"limit": 5, "skip": 10, "order": "creationTime:desc"}, "fields": ["pid"]},
        default_limit=100,
    )
    assert (query.limit, query.skip, query.fields) == (5, 10, ["pid"])
    assert query.order.text.startswith("creation_time DESC")
    assert FilterParser(V3_POLICY).query(None, default_limit=100).limit == 100


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1, "cm", (0.01, "m")),
        (20, "degC", (293.15, "K")),
        (5, "mbar", (500.0, "Pa")),
        (36, "km/h", (10.0, "m / s")),
        (2, "mm^2", (2e-6, "m^2")),
        (1, "keV", (1.602176634e-16, "J")),
        (7, "parsec-ish", (7, "parsec-ish")),
    ],
)
def test_si_conversion(value: float, unit: str, expected: tuple[float, str]) -> None:
    converted, unit_si = to_si(value, unit)
    assert converted == pytest.approx(expected[0]) and unit_si == expected[1]


def test_si_fields_are_added_to_quantities() -> None:
    result = add_si_fields(
        {"t": {"value": 1, "unit": "ms"}, "n": {"inner": {"v": 2, "u": "cm"}}, "s": "x"}
    )
    assert result == {
        "t": {"value": 1, "unit": "ms", "valueSI": pytest.approx(0.001), "unitSI": "s"},
        "n": {"inner": {"v": 2, "u": "cm", "valueSI": pytest.approx(0.02), "unitSI": "m"}},
        "s": "x",
    }


def _user(*groups: str) -> User:
    return User(id="1", username="u", email="u@example.org", groups=groups)


def test_dataset_create_rights() -> None:
    access = Access(
        GroupSettings(admin=frozenset({"admin"}), create_dataset_with_pid=frozenset({"pidders"}))
    )
    assert access.dataset_create_right(None) is CreateRight.NONE
    assert access.dataset_create_right(_user("g")) is CreateRight.OWN_GROUP
    assert access.dataset_create_right(_user("pidders")) is CreateRight.OWN_GROUP_WITH_PID
    assert access.dataset_create_right(_user("admin")) is CreateRight.ANY_GROUP
    assert access.may_create_dataset(_user("g"), {"ownerGroup": "g"}, with_pid=False)
    assert not access.may_create_dataset(_user("g"), {"ownerGroup": "g"}, with_pid=True)
    assert not access.may_create_dataset(_user("g"), {"ownerGroup": "other"}, with_pid=False)


def test_visibility_rules() -> None:
    access = Access(GroupSettings(admin=frozenset({"admin"})))
    private = {"ownerGroup": "a", "accessGroups": ["b"], "isPublished": False}
    assert access.can_see(_user("a"), private) and access.can_see(_user("b"), private)
    assert not access.can_see(_user("c"), private) and not access.can_see(None, private)
    assert access.can_see(None, {**private, "isPublished": True})
    assert access.visibility(None).text == "is_published"
    assert access.visibility(_user("admin")).text == "TRUE"


def test_passwords_are_stored_as_salted_hashes() -> None:
    secret = "abcd"  # any non-empty password, as SciCatLive's 4-character ingestor password
    stored = hash_password(secret)
    assert secret not in stored
    assert stored != hash_password(secret)
    assert verify_password(secret, stored)
    assert not verify_password("abce", stored)
    assert not verify_password(secret, None)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(60, 60), ("2d", 172800), ("10h", 36000), ("1.5 hours", 5400), ("100y", 3155760000)],
)
def test_token_lifetimes_follow_jsonwebtoken(value: str | int, seconds: int) -> None:
    assert duration_seconds(value) == seconds


def test_bad_token_lifetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timespan"):
        duration_seconds("soon")


def test_v3_mapping_round_trip() -> None:
    doc = v3_to_v4(
        {"principalInvestigator": "Ann", "proposalId": "p", "sourceFolder": "/a/b/c", "type": "raw"}
    )
    assert doc["principalInvestigators"] == ["Ann"] and doc["datasetName"] == "b/c"
    assert to_v3(doc)["principalInvestigator"] == "Ann" and to_v3(doc)["proposalId"] == "p"


def test_route_case_prefers_literal_segments() -> None:
    case = RouteCase(["/api/v3/datasets/{pid}", "/api/v3/datasets/fullquery", "/api/v3/auth/login"])
    assert case.canonical(["", "API", "V3", "Datasets", "FullQuery"]) == (
        ["", "api", "v3", "datasets", "fullquery"],
        "/api/v3/datasets/fullquery",
    )
    assert case.canonical(["", "api", "v3", "Datasets", "a%2Fb"]) == (
        ["", "api", "v3", "datasets", "a%2Fb"],
        "/api/v3/datasets/{pid}",
    )
    assert case.canonical(["", "api", "v9"]) == (["", "api", "v9"], None)


def test_dispatch_only_routes_that_ordinary_routing_would_pick() -> None:
    from fastapi import APIRouter, FastAPI
    from fastapi.testclient import TestClient
    from scicat_lite.dispatch import dispatch_table, install_dispatch
    from scicat_lite.middleware import PathMiddleware

    router = APIRouter()
    router.add_api_route("/a/{x}", lambda x: f"param {x}", methods=["GET"])
    router.add_api_route("/a/special", lambda: "special get", methods=["GET"])
    router.add_api_route("/a/special", lambda: "special post", methods=["POST"])
    router.add_api_route("/b/count", lambda: "count", methods=["GET"])
    router.add_api_route("/b/{y}", lambda y: f"b {y}", methods=["GET", "DELETE"])
    app = FastAPI()
    app.include_router(router)
    templates = [r.path for r in router.routes]
    keys = set(dispatch_table(app.router.routes, templates))
    assert {
        ("GET", "/a/{x}"),
        ("POST", "/a/special"),
        ("GET", "/b/{y}"),
        ("DELETE", "/b/{y}"),
    } <= keys
    assert ("GET", "/a/special") not in keys  # shadowed by /a/{x}, registered first
    install_dispatch(app, templates)
    app.add_middleware(PathMiddleware, templates=templates)
    client = TestClient(app)
    assert client.get("/A/Special").json() == "param special"
    assert client.post("/a/SPECIAL").json() == "special post"
    assert client.delete("/B/q").json() == "b q"
    assert client.get("/b/q").json() == "b q"
    assert client.get("/b/Count").json() == "count"
    assert client.put("/b/q").status_code == 405
    assert client.get("/c").status_code == 404


def test_fast_routes_plan_only_the_parameters_they_know() -> None:
    router = Router()

    @router.post("/things/{tid}")
    def planned(
        ctx: Context, user: CurrentUser, conn: Connection, body: Body, request: Request, tid: str
    ) -> Any:
        return None

    @router.get("/things/{tid}/query")
    def with_query(ctx: Context, tid: str, limit: int = 10) -> Any:
        return None

    @router.get("/things/{tid}/number")
    def with_int_path(ctx: Context, tid: int) -> Any:
        return None

    plans = {route.path: route._plan for route in router.routes}  # type: ignore[attr-defined]
    assert plans["/things/{tid}"] == [
        ("ctx", "context"),
        ("user", "user"),
        ("conn", "connection"),
        ("body", "body"),
        ("request", "request"),
        ("tid", "path"),
    ]
    assert plans["/things/{tid}/query"] is None
    assert plans["/things/{tid}/number"] is None


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 11, 30, 19, 5, 7, 123999, tzinfo=UTC), "2026-11-30T19:05:07.123Z"),  # cut, as JS
        (datetime(2026, 11, 30, 19, 5, 7), "2026-11-30T19:05:07.000Z"),  # naive is UTC
        (datetime(2026, 12, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))), "2026-11-30T23:00:00.000Z"),
        (datetime(999, 1, 2, tzinfo=UTC), "0999-01-02T00:00:00.000Z"),  # toISOString pads the year
    ],
)
def test_dates_are_written_as_the_backend_writes_them(moment: datetime, written: str) -> None:
    assert format_iso(moment) == written


def test_endpoint_threads_are_sized_before_their_first_call_and_only_grow_after_it() -> None:
    workers = WorkerThreads(3, "sized-threads")
    workers.resize(5)  # not started yet: any size

    async def call() -> int:
        return await workers.run(lambda: 42)

    assert asyncio.run(call()) == 42

    def running() -> int:
        return sum(thread.name.startswith("sized-threads_") for thread in threading.enumerate())

    assert workers.count == running() == 5
    workers.resize(2)  # a running thread is never taken away
    assert workers.count == running() == 5
    workers.resize(7)
    assert workers.count == running() == 7


def test_the_app_runs_its_endpoints_on_a_thread_per_connection_and_two_spare() -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "JWT_SECRET": "s" * 32,
         "DATABASE_POOL_SIZE": "11"}
    )  # fmt: skip
    create_app(settings)  # nothing connects before the app starts
    assert WORKERS.count >= endpoint_threads(11) == 13
