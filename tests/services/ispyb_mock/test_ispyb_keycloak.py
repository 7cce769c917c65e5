"""py-ISPyB's keycloak login plugin against stand-in OpenID providers: JWTs checked
locally (signature, issuer, audience, expiry), opaque tokens by the provider's
userinfo, the provider under two names, and a provider that does not answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from ispyb_mock import API_PREFIX as API
from ispyb_mock.app import create_app
from ispyb_mock.settings import OidcSettings, Settings
from ispyb_mock.users import Accounts
from sqlalchemy import Engine

from tests.services.ispyb_mock.harness import OidcProvider
from tests.support import serve_app

pytestmark = pytest.mark.database


class Served:
    def __init__(self, url: str, oidc: OidcProvider) -> None:
        self.url = url
        self.oidc = oidc


@pytest.fixture
def stack(clean_engine: Engine, settings: Settings, client: Any) -> Iterator[Served]:
    """The app with the users of conftest (alice among them), its plugin on a provider."""
    provider = OidcProvider()
    oidc = OidcSettings(issuer=provider.url, audience="ispyb")
    accounts = client.app.state.accounts
    try:
        app = create_app(settings.model_copy(update={"oidc": oidc}), clean_engine, accounts)
        with serve_app(app) as url:
            yield Served(url, provider)
    finally:
        provider.close()


def test_keycloak_login_checks_the_token(stack: Served) -> None:
    def login(token: str) -> httpx.Response:
        return httpx.post(
            f"{stack.url}{API}/auth/login", json={"plugin": "keycloak", "login": "", "token": token}
        )

    reply = login(stack.oidc.token("alice"))
    assert reply.status_code == 201 and reply.json()["login"] == "alice"
    assert reply.json()["expiresIn"] == 300 * 60 and reply.json()["refreshToken"]
    for token in (
        stack.oidc.token("alice", audience="another-client"),
        stack.oidc.token("alice", lifetime=-60),
        stack.oidc.token("alice", issuer="http://elsewhere/realms/x"),
        stack.oidc.token("alice")[:-4] + "AAAA",
    ):
        refused = login(token)
        assert (refused.status_code, refused.json()["detail"]) == (401, "Could not verify")
    unknown = login(stack.oidc.token("mallory"))
    assert (unknown.status_code, unknown.json()["detail"]) == (
        401,
        "User does not exist in database.",
    )

    refresh = httpx.post(
        f"{stack.url}{API}/auth/refresh", json={"refreshToken": reply.json()["refreshToken"]}
    )
    assert refresh.status_code == 200 and refresh.json()["login"] == "alice"
    refused = httpx.post(
        f"{stack.url}{API}/auth/refresh", json={"refreshToken": reply.json()["token"]}
    )
    assert refused.status_code == 401
    plugins = httpx.get(f"{stack.url}{API}/auth/config").json()["plugins"]
    assert [p["name"] for p in plugins] == ["dummy", "keycloak"]
    opaque = login("opaque-alice")  # LemonLDAP::NG's tokens: the provider's userinfo decides
    assert opaque.status_code == 201 and opaque.json()["login"] == "alice"
    assert login("opaque-").json()["detail"] == "Could not verify"


def test_keycloak_login_with_the_provider_under_two_names(
    clean_engine: Engine, settings: Settings
) -> None:
    """The service discovers the provider by its compose name; the tokens carry its public
    issuer (as the stack's oidc service arranges), and nothing answers: a 503."""
    provider = OidcProvider(public_issuer="http://127.0.0.1:18080/")
    try:
        oidc = OidcSettings(issuer=provider.url)
        app = create_app(settings.model_copy(update={"oidc": oidc}), clean_engine, Accounts([]))
        with serve_app(app) as url:
            body = {"plugin": "keycloak", "token": provider.token("admin-less")}
            reply = httpx.post(f"{url}{API}/auth/login", json=body)
            assert reply.json()["detail"] == "User does not exist in database."  # verified
            wrong = provider.token("x", issuer=provider.url)  # not the document's issuer
            assert (
                httpx.post(f"{url}{API}/auth/login", json=body | {"token": wrong}).status_code
                == 401
            )
    finally:
        provider.close()
    gone = OidcSettings(issuer=provider.url, timeout_seconds=0.5)
    app = create_app(settings.model_copy(update={"oidc": gone}), clean_engine, Accounts([]))
    with serve_app(app) as url:
        reply = httpx.post(f"{url}{API}/auth/login", json={"plugin": "keycloak", "token": "a.b.c"})
        assert reply.status_code == 503 and "OIDC provider" in reply.json()["detail"]
