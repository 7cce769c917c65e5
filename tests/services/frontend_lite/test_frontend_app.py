"""frontend-lite against a scripted backend: the requests it sends and every kind of failure."""

from __future__ import annotations

import base64
import json
import time
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from frontend_lite.app import create_app
from frontend_lite.settings import Settings

from tests.support import serve_app

Handler = Callable[[httpx.Request], httpx.Response]
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


class FakeBackend:
    """Answers like a SciCat backend; tests replace routes to script failures."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[str, Handler] = {
            "POST /api/v3/auth/login": self.login,
            "GET /api/v3/health": lambda r: httpx.Response(200, json={"status": "ok"}),
            "GET /api/v3/datasets/fullquery": lambda r: httpx.Response(
                200, json=[{"pid": "p/1", "datasetName": "one", "size": 2048}]
            ),
            "GET /api/v3/datasets/fullfacet": lambda r: httpx.Response(
                200, json=[{"type": [{"_id": "raw", "count": 1}], "all": [{"totalSets": 1}]}]
            ),
        }

    @staticmethod
    def login(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body == {"username": "ada", "password": "secret"}:
            return httpx.Response(
                201, json={"id": "token-ada", "expires_in": 3600, "user": {"username": "ada"}}
            )
        return httpx.Response(401, json={"statusCode": 401, "message": "Unauthorized"})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = f"{request.method} {request.url.raw_path.decode().split('?')[0]}"
        for pattern, handler in self.routes.items():
            if re.fullmatch(pattern, key):
                return handler(request)
        return httpx.Response(404, json={"statusCode": 404, "message": f"Cannot {key}"})

    def last(self, path: str) -> httpx.Request:
        return [r for r in self.requests if r.url.path == path][-1]


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def client(fake: FakeBackend, tmp_path: Path) -> Iterator[httpx.Client]:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {"lbBaseURL": "http://public.example:3000", "siteTitle": "Test SciCat", "extra": [1]}
        )
    )
    settings = Settings.from_env(
        {
            "SESSION_SECRET": "s" * 32,
            "SCICAT_CONFIG_FILE": str(config),
            "BACKEND_INTERNAL_URL": "http://scicat-lite:3000",
        }
    )
    app = create_app(settings, transport=httpx.MockTransport(fake))
    with serve_app(app) as url, httpx.Client(base_url=url) as http:
        yield http


def sign_in(client: httpx.Client) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = client.post(
        "/login",
        data={"username": "ada", "password": "secret", "csrf": csrf.group(1), "next": "/datasets"},
    )
    assert response.status_code == 303


def test_config_is_served_as_written(client: httpx.Client) -> None:
    for path in ("/config.json", "/assets/config.json"):
        reply = client.get(path)
        assert reply.status_code == 200
        assert reply.json() == {
            "lbBaseURL": "http://public.example:3000",
            "siteTitle": "Test SciCat",
            "extra": [1],
        }
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_pages_call_the_internal_url_and_anonymous_asks_for_published(
    client: httpx.Client, fake: FakeBackend
) -> None:
    page = client.get("/")
    assert (
        page.status_code == 200
        and "<html" in page.text
        and "one" in page.text
        and "2.0 kB" in page.text
    )
    request = fake.last("/api/v3/datasets/fullquery")
    assert request.url.host == "scicat-lite" and "authorization" not in request.headers
    assert json.loads(request.url.params["fields"]) == {"isPublished": True}
    assert json.loads(request.url.params["limits"]) == {
        "skip": 0,
        "limit": 25,
        "order": "creationTime:desc",
    }
    facets = fake.last("/api/v3/datasets/fullfacet")
    assert json.loads(facets.url.params["facets"]) == [
        "creationLocation",
        "ownerGroup",
        "type",
        "keywords",
    ]


def test_every_asset_ships_with_the_app(client: httpx.Client) -> None:
    page = client.get("/datasets")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets)
    for asset in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200


def test_login_keeps_the_token_in_a_session_cookie(client: httpx.Client, fake: FakeBackend) -> None:
    sign_in(client)
    cookie = client.cookies.jar
    assert [c.name for c in cookie] == ["frontend_lite_session"]
    assert next(iter(cookie)).expires is None  # ends with the browser session
    page = client.get("/datasets")
    assert "Signed in as <strong>ada</strong>" in page.text
    request = fake.last("/api/v3/datasets/fullquery")
    assert request.headers["authorization"] == "Bearer token-ada"
    assert json.loads(request.url.params["fields"]) == {}
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    fake.routes["POST /api/v3/auth/logout"] = lambda r: httpx.Response(200, json={})
    assert client.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
    assert "Public view" in client.get("/datasets").text


def test_login_refuses_forged_forms_and_foreign_redirects(client: httpx.Client) -> None:
    refused = client.post(
        "/login", data={"username": "ada", "password": "secret", "csrf": "forged"}
    )
    assert refused.status_code == 400 and "form had expired" in refused.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf
    done = client.post(
        "/login",
        data={
            "username": "ada",
            "password": "secret",
            "csrf": csrf.group(1),
            "next": "//evil.example/",
        },
    )
    assert done.headers["location"] == "/datasets"


def test_wrong_password_and_unreachable_backend_differ_at_login(
    client: httpx.Client, fake: FakeBackend
) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert csrf
    wrong = client.post(
        "/login", data={"username": "ada", "password": "nope", "csrf": csrf.group(1)}
    )
    assert wrong.status_code == 401 and "Wrong username or password." in wrong.text

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fake.routes["POST /api/v3/auth/login"] = down
    unreachable = client.post(
        "/login", data={"username": "ada", "password": "secret", "csrf": csrf.group(1)}
    )
    assert unreachable.status_code == 503 and "Backend unreachable" in unreachable.text


def test_an_expired_token_sends_the_user_to_log_in_again(
    client: httpx.Client, fake: FakeBackend
) -> None:
    sign_in(client)
    fake.routes["GET /api/v3/datasets/fullquery"] = lambda r: httpx.Response(
        401, json={"statusCode": 401, "message": "SESSION_EXPIRED"}
    )
    response = client.get("/datasets?text=x")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdatasets%3Ftext%3Dx&expired=1"
    page = client.get(response.headers["location"])
    assert "Your session has expired" in page.text and "Public view" in page.text


def test_not_logged_in_no_access_and_not_found_are_different_pages(
    client: httpx.Client, fake: FakeBackend
) -> None:
    fake.routes["GET /api/v3/datasets/.*"] = lambda r: httpx.Response(
        403, json={"statusCode": 403, "message": "Unauthorized access"}
    )
    anonymous = client.get("/datasets/20.500/private")
    assert (
        anonymous.status_code == 401
        and "Not logged in" in anonymous.text
        and 'href="/login?next=' in anonymous.text
    )
    assert fake.requests[-1].url.raw_path.decode() == "/api/v3/datasets/20.500%2Fprivate"
    sign_in(client)
    denied = client.get("/datasets/20.500/private")
    assert denied.status_code == 403 and "No access" in denied.text and "ada" in denied.text
    fake.routes["GET /api/v3/datasets/.*"] = lambda r: httpx.Response(
        404, json={"statusCode": 404, "message": "Dataset not found"}
    )
    missing = client.get("/datasets/20.500/gone")
    assert missing.status_code == 404 and "Dataset not found" in missing.text
    assert client.get("/no/such/page").status_code == 404


def test_a_broken_backend_is_named(client: httpx.Client, fake: FakeBackend) -> None:
    fake.routes["GET /api/v3/datasets/fullfacet"] = lambda r: httpx.Response(
        500, json={"statusCode": 500, "message": "Internal server error"}
    )
    # The rows came: they are shown, and the counts say why they are missing.
    page = client.get("/datasets")
    assert page.status_code == 200 and 'data-pid="p/1"' in page.text
    assert 'data-testid="counts-error"' in page.text and "500 Internal server error" in page.text
    assert page.text.rstrip().endswith("</html>")
    fake.routes["GET /api/v3/datasets/fullfacet"] = lambda r: httpx.Response(
        200, json={"weird": True}
    )
    odd_counts = client.get("/datasets")
    assert (
        "Counts unavailable" in odd_counts.text and "unexpected fullfacet reply" in odd_counts.text
    )
    # Without rows there is nothing to show first: a broken count is the page's error.
    fake.routes["GET /api/v3/datasets/fullquery"] = lambda r: httpx.Response(200, json=[])
    assert client.get("/datasets").status_code == 502
    fake.routes["GET /api/v3/datasets/fullquery"] = lambda r: httpx.Response(
        200, json=[{"no": "pid"}]
    )
    odd = client.get("/datasets")
    assert odd.status_code == 502 and "unexpected reply" in odd.text


def test_invalid_filters_get_a_readable_400(client: httpx.Client) -> None:
    page = client.get("/datasets?per_page=1000")
    assert page.status_code == 400 and "per_page" in page.text and "Invalid filter" in page.text
    assert client.get("/datasets/p/1?tab=secrets").status_code == 400


def test_thumbnails_are_images_or_an_empty_picture(client: httpx.Client, fake: FakeBackend) -> None:
    fake.routes["GET /api/v3/datasets/p%2Fimg/thumbnail"] = lambda r: httpx.Response(
        200, json={"thumbnail": f"data:image/png;base64,{PNG}"}
    )
    fake.routes["GET /api/v3/datasets/p%2Ftext/thumbnail"] = lambda r: httpx.Response(
        200, json={"thumbnail": "data:text/plain;base64,aGk="}
    )
    image = client.get("/thumbnails/p/img")
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    for pid in ("p/text", "p/missing"):
        empty = client.get(f"/thumbnails/{pid}")
        assert empty.status_code == 200 and empty.headers["content-type"].startswith(
            "image/svg+xml"
        )


def test_dataset_tabs_ask_for_what_they_show(client: httpx.Client, fake: FakeBackend) -> None:
    dataset = {
        "pid": "p/2",
        "type": "derived",
        "inputDatasets": ["p/1", "p/hidden"],
        "datasetName": "two",
        "scientificMetadata": {"a": {"value": 1, "unit": "mm"}},
    }
    fake.routes["GET /api/v3/datasets/p%2F2"] = lambda r: httpx.Response(200, json=dataset)
    fake.routes["GET /api/v3/datasets/p%2F1"] = lambda r: httpx.Response(
        200, json={"pid": "p/1", "datasetName": "one"}
    )
    fake.routes["GET /api/v3/datasets/p%2Fhidden"] = lambda r: httpx.Response(
        403, json={"statusCode": 403, "message": "Unauthorized access"}
    )
    fake.routes["GET /api/v3/datasets"] = lambda r: httpx.Response(200, json=[])
    fake.routes["GET /api/v3/datasets/p%2F2/origdatablocks"] = lambda r: httpx.Response(
        200,
        json=[{"_id": "b", "dataFileList": [{"path": f"f{n}.h5", "size": 10} for n in range(150)]}],
    )
    fake.routes["GET /api/v3/datasets/p%2F2/attachments"] = lambda r: httpx.Response(
        200, json=[{"caption": "log", "thumbnail": "data:text/plain;base64,c3BhY2UgZ3JvdXAgUDE="}]
    )
    details = client.get("/datasets/p/2")
    assert details.status_code == 200 and "<td>1</td><td>mm</td>" in details.text
    related = client.get("/datasets/p/2?tab=related")
    assert "p/hidden" in related.text and "not visible to you" in related.text
    filters = [
        json.loads(r.url.params["filter"])
        for r in fake.requests
        if r.url.path == "/api/v3/datasets"
    ]
    # Inputs are read one by one (by PID); derived datasets with one indexed, ordered query.
    assert {"/api/v3/datasets/p%2F1", "/api/v3/datasets/p%2Fhidden"} <= {
        r.url.raw_path.decode() for r in fake.requests
    }
    assert filters == [
        {
            "where": {"inputDatasets": "p/2"},
            "limits": {"limit": 100, "order": "creationTime:desc"},
            "fields": [
                "pid",
                "datasetName",
                "type",
                "creationTime",
                "startTime",
                "sourceFolder",
                "size",
            ],
        }
    ]
    files = client.get("/datasets/p/2?tab=datafiles&page=2")
    text = files.text.replace("<wbr>", "")
    assert "101 – 150 of 150" in text and "f149.h5" in text and "f0.h5" not in text
    attachments = client.get("/datasets/p/2?tab=attachments")
    assert "space group P1" in attachments.text


def test_unreachable_backend_page(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"lbBaseURL": "http://127.0.0.1:9"}))

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    settings = Settings.from_env({"SESSION_SECRET": "s" * 32, "SCICAT_CONFIG_FILE": str(config)})
    app = create_app(settings, transport=httpx.MockTransport(down))
    with serve_app(app) as url, httpx.Client(base_url=url) as client:
        page = client.get("/datasets")
        assert (
            page.status_code == 503
            and "Backend unreachable" in page.text
            and "http://127.0.0.1:9" in page.text
        )
        health = client.get("/healthz")
        assert health.status_code == 503 and "connection refused" in health.json()["reason"]


def test_a_backend_that_comes_up_is_seen_before_the_next_regular_probe(tmp_path: Path) -> None:
    # The stack starts frontend-lite beside its backend; `up` waits for /healthz, so an
    # unhealthy monitor probes again within half a second, not after the whole interval.
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"lbBaseURL": "http://backend.test"}))
    backend = {"up": False}

    def answer(request: httpx.Request) -> httpx.Response:
        if not backend["up"]:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"status": "ok"})

    settings = Settings.from_env({"SESSION_SECRET": "s" * 32, "SCICAT_CONFIG_FILE": str(config),
                                  "BACKEND_PROBE_INTERVAL": "60"})  # fmt: skip
    app = create_app(settings, transport=httpx.MockTransport(answer))
    with serve_app(app) as url, httpx.Client(base_url=url) as client:
        assert client.get("/healthz").status_code == 503
        backend["up"] = True
        deadline = time.monotonic() + 20  # far less than the 60 s interval
        while client.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the monitor did not probe again while unhealthy"
            time.sleep(0.1)
