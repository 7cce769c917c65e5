"""``/auth/oidc*``: the authorization-code flow and ID-token login against a test provider.

The provider is the in-test double of ``oidc_provider.py``: these tests prove the
client side (discovery, redirect, state, code exchange with client authentication, RS256
ID-token validation via JWKS, claims → profile → user and identity, groups from the
configured claim), not interoperability with a particular product.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lite_harness import LiteServer
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

from tests.support import free_port, serve_app

pytestmark = pytest.mark.database
SUCCESS_URL = "http://frontend.example/login"


@pytest.fixture
def provider() -> Iterator[Provider]:
    op = Provider(
        claims={
            "sub": "u-123",
            "preferred_username": "carol",
            "name": "Carol Example",
            "email": "carol@example.org",
            "groups": ["group1", "oidc-staff"],
        }
    )
    port = free_port()
    op.issuer = f"http://127.0.0.1:{port}"
    with serve_app(op.app(), port=port):
        yield op


@pytest.fixture
def lite(provider: Provider, fresh_database: str) -> Iterator[httpx.Client]:
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    port = free_port()
    settings = Settings.from_env(
        {
            "DATABASE_URL": fresh_database,
            "JWT_SECRET": secrets.token_hex(32),
            "EXPRESS_SESSION_SECRET": secrets.token_hex(16),
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_CALLBACK_URL": f"http://127.0.0.1:{port}/api/v3/auth/oidc/callback",
            "OIDC_SCOPE": "openid profile email",
            "OIDC_SUCCESS_URL": SUCCESS_URL,
            "ACCESS_GROUPS_OIDCPAYLOAD_ENABLED": "true",
            "OIDC_ACCESS_GROUPS_PROPERTY": "groups",
        }
    )
    with (
        serve_app(create_app(settings, accounts=[]), port=port) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def _browser_login(lite: httpx.Client) -> dict[str, list[str]]:
    """Follow the redirects as a browser would; the success URL's query parameters."""
    start = lite.get("/api/v3/auth/oidc", params={"returnUrl": "/proposals"})
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    back = httpx.get(authorize)
    assert back.status_code == 302
    finish = lite.get(back.headers["location"])
    assert finish.status_code == 302, finish.text
    target = urlsplit(finish.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == SUCCESS_URL
    return parse_qs(target.query)


def test_code_flow_logs_in_and_creates_the_user(lite: httpx.Client, provider: Provider) -> None:
    query = _browser_login(lite)
    asked = provider.requests[-1]
    assert (asked["client_id"], asked["response_type"]) == (CLIENT_ID, "code")
    assert asked["scope"] == "openid profile email"
    assert query["returnUrl"] == ["/proposals"]
    headers = {"Authorization": f"Bearer {query['access-token'][0]}"}
    me = lite.get("/api/v3/auth/whoami", headers=headers).json()
    assert me["username"] == "carol"
    assert me["currentGroups"] == ["group1", "oidc-staff"]
    assert me["_id"] == query["user-id"][0]
    identity = lite.get("/api/v3/users/my/identity", headers=headers).json()
    assert identity["provider"] == provider.issuer
    assert identity["externalId"] == "u-123"
    assert identity["profile"]["displayName"] == "Carol Example"
    assert identity["profile"]["oidcClaims"]["sub"] == "u-123"
    assert lite.get("/api/v3/users/my/settings", headers=headers).json()["jobCount"] == 25
    out = lite.post("/api/v3/auth/logout", headers=headers).json()
    assert out == {"logout": "successful", "logoutURL": f"{provider.issuer}/logout"}
    # A second login is the same user.
    assert _browser_login(lite)["user-id"] == query["user-id"]


def test_callback_checks_the_state(lite: httpx.Client) -> None:
    start = lite.get("/api/v3/auth/oidc")
    back = httpx.get(start.headers["location"])
    forged = back.headers["location"].replace("state=", "state=x")
    assert lite.get(forged).status_code == 401
    lite.cookies.clear()
    assert lite.get(back.headers["location"]).status_code == 401


def test_unknown_frontend_client_is_refused(lite: httpx.Client) -> None:
    answer = lite.get("/api/v3/auth/oidc", params={"client": "other"})
    assert answer.status_code == 401
    assert answer.json() == {"statusCode": 401, "message": "Unauthorized client"}


def test_id_token_login(lite: httpx.Client, provider: Provider) -> None:
    login = lite.post("/api/v3/auth/oidc/token", json={"idToken": provider.id_token()})
    assert login.status_code == 201, login.text
    assert login.json()["user"]["username"] == "carol"
    for bad in (
        provider.id_token(aud="someone-else"),
        provider.id_token(iss="http://evil.example"),
        provider.id_token(exp=1),
        provider.id_token()[:-4] + "AAAA",
    ):
        refused = lite.post("/api/v3/auth/oidc/token", json={"idToken": bad})
        assert refused.status_code == 401
        assert refused.json()["message"].startswith("Invalid idToken: ")
    assert lite.post("/api/v3/auth/oidc/token", json={"idToken": ""}).status_code == 400


def test_oidc_not_configured(lite_server: LiteServer) -> None:
    for method, path in (
        ("GET", "/api/v3/auth/oidc"),
        ("GET", "/api/v3/auth/oidc/callback"),
        ("POST", "/api/v3/auth/oidc/token"),
    ):
        answer = httpx.request(method, f"{lite_server.url}{path}", json={"idToken": "x"})
        assert answer.status_code == 401, (path, answer.text)
