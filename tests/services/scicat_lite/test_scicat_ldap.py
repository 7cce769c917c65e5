"""``/auth/ldap`` against a real OpenLDAP server: bind, user creation, group mapping."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from ldap_server import ADMIN_DN, SUFFIX, LdapServer
from lite_harness import LiteServer

from tests.support import IN_CI, free_port, serve_app

pytestmark = [
    pytest.mark.database,
    pytest.mark.filterwarnings("ignore:(tagMap|typeMap) is deprecated:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def directory() -> Iterator[LdapServer]:
    try:
        server = LdapServer()
    except FileNotFoundError as error:
        if IN_CI:
            pytest.fail(f"LDAP tests need slapd: {error}")
        pytest.skip(str(error))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lite(directory: LdapServer, fresh_database: str) -> Iterator[httpx.Client]:
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    settings = Settings.from_env(
        {
            "DATABASE_URL": fresh_database,
            "JWT_SECRET": secrets.token_hex(32),
            "LDAP_URL": directory.url,
            "LDAP_BIND_DN": ADMIN_DN,
            "LDAP_BIND_CREDENTIALS": directory.admin_password,
            "LDAP_SEARCH_BASE": f"ou=people,{SUFFIX}",
            "LDAP_SEARCH_FILTER": "(uid={{username}})",
            "LDAP_GROUP_SEARCH_BASE": f"ou=groups,{SUFFIX}",
            "LDAP_GROUP_SEARCH_FILTER": "(member={{dn}})",
            "LDAP_USERNAME_ATTR": "uid",
            "ACCESS_GROUPS_LDAPPAYLOAD_ENABLED": "true",
            "ACCESS_GROUPS_STATIC_VALUES": "site-users",
            "ADMIN_GROUPS": "admin",
        }
    )
    with (
        serve_app(create_app(settings, accounts=[]), port=free_port()) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        yield client


def test_ldap_login_creates_the_user_with_its_groups(lite: httpx.Client) -> None:
    login = lite.post("/api/v3/auth/ldap", json={"username": "alice", "password": "alice-pw"})
    assert login.status_code == 201, login.text
    body = login.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["email"] == "alice@example.org"
    assert body["user"]["authStrategy"] == "ldap"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = lite.get("/api/v3/auth/whoami", headers=headers).json()
    assert me["currentGroups"] == ["site-users", "group1", "beamline-x"]
    identity = lite.get("/api/v3/users/my/identity", headers=headers).json()
    assert identity["provider"] == identity["authStrategy"] == "ldap"
    assert identity["profile"]["username"] == "alice"
    assert identity["profile"]["emails"] == [{"value": "alice@example.org"}]
    assert identity["profile"]["thumbnailPhoto"] == "error: no photo found"
    settings = lite.get("/api/v3/users/my/settings", headers=headers).json()
    assert settings["datasetCount"] == 25
    # The second login finds the same user and refreshes the groups.
    again = lite.post("/api/v3/auth/msad", json={"username": "alice", "password": "alice-pw"})
    assert again.json()["userId"] == body["userId"]


def test_ldap_groups_decide_access(lite: httpx.Client) -> None:
    token = lite.post(
        "/api/v3/auth/ldap", json={"username": "alice", "password": "alice-pw"}
    ).json()["access_token"]
    dataset = {
        "ownerGroup": "beamline-x",
        "contactEmail": "alice@example.org",
        "sourceFolder": "/data/x",
        "creationTime": "2024-01-01T00:00:00Z",
        "type": "raw",
        "owner": "Alice",
        "principalInvestigator": "Alice",
        "creationLocation": "/x",
    }
    headers = {"Authorization": f"Bearer {token}"}
    assert lite.post("/api/v3/datasets", json=dataset, headers=headers).status_code == 201
    other = {**dataset, "ownerGroup": "group2"}
    assert lite.post("/api/v3/datasets", json=other, headers=headers).status_code == 403


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "nobody", "password": "x"},
        {"username": "alice*", "password": "alice-pw"},
        {"username": "alice", "password": ""},
        {},
    ],
)
def test_refused_ldap_logins(lite: httpx.Client, credentials: dict[str, str]) -> None:
    answer = lite.post("/api/v3/auth/ldap", json=credentials)
    assert answer.status_code == 401
    assert answer.json() == {"statusCode": 401, "message": "Unauthorized"}


def test_unreachable_ldap_server_is_a_503(directory: LdapServer, fresh_database: str) -> None:
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    settings = Settings.from_env(
        {
            "DATABASE_URL": fresh_database,
            "JWT_SECRET": "s" * 32,
            "LDAP_URL": f"ldap://127.0.0.1:{free_port()}",
            "LDAP_SEARCH_FILTER": "(uid={{username}})",
        }
    )
    with serve_app(create_app(settings, accounts=[]), port=free_port()) as url:
        answer = httpx.post(f"{url}/api/v3/auth/ldap", json={"username": "a", "password": "b"})
    assert answer.status_code == 503
    assert answer.json()["message"] == "LDAP server unavailable"


def test_ldap_not_configured_refuses_logins(lite_server: LiteServer) -> None:
    credentials = {"username": "a", "password": "b"}
    answer = httpx.post(f"{lite_server.url}/api/v3/auth/ldap", json=credentials)
    assert answer.status_code == 401
