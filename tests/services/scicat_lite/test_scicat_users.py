"""Users, identities, settings, tokens and the legacy login/logout routes (upstream v5.2.1)."""

from __future__ import annotations

import httpx
import jwt
import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database


def _me(server: LiteServer, username: str) -> tuple[httpx.Client, str]:
    """A client for ``username`` (to use in a ``with``) and the user's id."""
    client = server.client(username)
    response = httpx.get(f"{server.url}/api/v3/users/my/self", headers=client.headers)
    return client, response.json()["_id"]


def test_login_creates_default_settings_and_identity(lite_server: LiteServer) -> None:
    client, user_id = _me(lite_server, "user1")
    with client:
        me = client.get("/api/v3/users/my/self").json()
        assert me == {
            "_id": user_id,
            "id": user_id,
            "username": "user1",
            "email": "user1@example.org",
            "authStrategy": "local",
        }
        assert len(user_id) == 24 and int(user_id, 16) >= 0  # an ObjectId, as upstream
        identity = client.get("/api/v3/users/my/identity").json()
        assert identity["userId"] == user_id
        assert identity["provider"] == identity["authStrategy"] == "local"
        assert identity["profile"]["accessGroups"] == ["group1"]
        assert identity["profile"]["username"] == "user1"
        settings = client.get("/api/v3/users/my/settings").json()
        assert settings["userId"] == user_id
        assert (settings["datasetCount"], settings["jobCount"]) == (25, 25)
        assert settings["externalSettings"] == {}


def test_user_routes_need_a_caller(lite_server: LiteServer) -> None:
    with lite_server.client() as anonymous:
        for path in ("/api/v3/users", "/api/v3/users/my/self", "/api/v3/users/x/settings"):
            response = anonymous.get(path)
            assert response.status_code == 401
            assert response.json() == {
                "statusCode": 401,
                "message": "Unauthenticated",
                "error": "Unauthorized",
            }


def test_users_see_only_themselves_admins_everyone(lite_server: LiteServer) -> None:
    user1, id1 = _me(lite_server, "user1")
    user2, id2 = _me(lite_server, "user2")
    with user1, user2, lite_server.client("admin") as admin:
        denied = user1.get(f"/api/v3/users/{id2}")
        assert denied.status_code == 403
        assert denied.json()["message"] == "Access Forbidden or Unauthorized"
        assert user1.get(f"/api/v3/users/{id1}").json()["username"] == "user1"
        assert [u["username"] for u in user1.get("/api/v3/users").json()] == ["user1"]
        everyone = {u["username"] for u in admin.get("/api/v3/users").json()}
        assert {"user1", "user2", "admin", "ingestor"} <= everyone
        assert admin.get(f"/api/v3/users/{id2}/userIdentity").json()["userId"] == id2
        unknown = admin.get("/api/v3/users/000000000000000000000000")
        assert (unknown.status_code, unknown.content) == (200, b"")
        assert user1.get(f"/api/v3/users/{id1}/authorization/dataset/create").json() == {
            "authorization": True
        }


def test_settings_routes(lite_server: LiteServer) -> None:
    client, user_id = _me(lite_server, "user2")
    base = f"/api/v3/users/{user_id}/settings"
    with client:
        client.delete(base)
        assert client.patch(base, json={"datasetCount": 5}).content == b""  # no record: null
        created = client.put(base, json={"jobCount": 7})
        assert created.status_code == 200
        assert (created.json()["datasetCount"], created.json()["jobCount"]) == (25, 7)
        patched = client.patch(base, json={"datasetCount": 50}).json()
        assert (patched["datasetCount"], patched["jobCount"]) == (50, 7)
        external = client.patch(
            f"{base}/external", json={"fe_dataset_table_columns": [{"name": "pid"}]}
        ).json()
        external = client.patch(f"{base}/external", json={"fe_dataset_table_filters": []}).json()
        assert external["externalSettings"] == {
            "fe_dataset_table_columns": [{"name": "pid"}],
            "fe_dataset_table_filters": [],
        }
        bad = client.patch(base, json={"datasetCount": "many"})
        assert bad.status_code == 400
        assert "datasetCount" in " ".join(bad.json()["message"])
        missing = client.post(base, json={"userId": user_id})
        assert missing.status_code == 400
        deleted = client.delete(base).json()
        assert deleted["userId"] == user_id
        assert client.get(base).content == b""


def test_jwt_routes(lite_server: LiteServer) -> None:
    with lite_server.client() as anonymous:
        token = anonymous.post("/api/v3/users/jwt").json()["jwt"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert (claims["username"], claims["groups"]) == ("anonymous", ["public"])
    user1, id1 = _me(lite_server, "user1")
    with user1, lite_server.client("admin") as admin:
        mine = jwt.decode(
            user1.post("/api/v3/users/jwt").json()["jwt"], options={"verify_signature": False}
        )
        assert (mine["username"], mine["groups"]) == (id1, ["group1"])
        assert user1.post(f"/api/v3/users/{id1}/jwt", json={}).status_code == 403
        custom = admin.post(f"/api/v3/users/{id1}/jwt", json={"expiresIn": "never"}).json()
        claims = jwt.decode(custom["jwt"], options={"verify_signature": False})
        assert claims["username"] == "user1"
        assert claims["exp"] - claims["iat"] > 99 * 365 * 86400
        signed_as_user1 = httpx.get(
            f"{lite_server.url}/api/v3/auth/whoami",
            headers={"Authorization": f"Bearer {custom['jwt']}"},
        ).json()
        assert signed_as_user1["currentGroups"] == ["group1"]
        assert admin.post(f"/api/v3/users/{id1}/jwt", json={"expiresIn": 60}).status_code == 201
        assert admin.post(f"/api/v3/users/{id1}/jwt", json={"other": 1}).status_code == 400


def test_legacy_login_and_logout(lite_server: LiteServer) -> None:
    with lite_server.client() as anonymous:
        good = {"username": "ingestor", "password": lite_server.passwords["ingestor"]}
        answer = anonymous.post("/api/v3/users/login", json=good)
        assert (answer.status_code, answer.content) == (201, b"")
        bad = anonymous.post("/api/v3/users/login", json={**good, "password": "nope"})
        assert bad.status_code == 401
        assert (
            anonymous.post("/api/v3/auth/login", json={**good, "password": ""}).status_code == 401
        )
        out = anonymous.post("/api/v3/users/logout")
        assert out.status_code == 401
        assert out.json() == {"statusCode": 401, "message": "Not logged in"}
    with lite_server.client("ingestor") as ingestor:
        assert ingestor.post("/api/v3/users/logout").json() == {"logout": "successful"}
        assert ingestor.post("/api/v3/auth/logout").json() == {"logout": "successful"}


def test_password_changes(lite_server: LiteServer) -> None:
    old = lite_server.passwords["user3"]
    user3, id3 = _me(lite_server, "user3")
    body = {"currentPassword": old, "newPassword": "new-secret", "confirmPassword": "new-secret"}
    with user3, lite_server.client("admin") as admin:
        mismatch = user3.post("/api/v3/users/password", json={**body, "confirmPassword": "x"})
        assert mismatch.json()["message"] == "New password and confirmation password do not match"
        wrong = user3.post("/api/v3/users/password", json={**body, "currentPassword": "x"})
        assert (wrong.status_code, wrong.json()["message"]) == (
            400,
            "Current password is incorrect",
        )
        done = user3.post("/api/v3/users/password", json=body)
        assert done.json() == {"message": "Password updated successfully"}
        login = {"username": "user3", "password": "new-secret"}
        assert httpx.post(f"{lite_server.url}/api/v3/auth/login", json=login).status_code == 201
        assert user3.patch(f"/api/v3/users/{id3}/password", json={}).status_code == 403
        reset = admin.patch(
            f"/api/v3/users/{id3}/password", json={"newPassword": old, "confirmPassword": old}
        )
        assert reset.json() == {"message": f"Password updated successfully for userId: {id3}"}
        cast = admin.patch(
            "/api/v3/users/nonsense/password", json={"newPassword": old, "confirmPassword": old}
        )
        assert cast.status_code == 400
    assert lite_server.token("user3")


def test_user_identities(lite_server: LiteServer) -> None:
    user1, id1 = _me(lite_server, "user1")
    _, id2 = _me(lite_server, "user2")
    with user1, lite_server.client("admin") as admin:
        mine = user1.get("/api/v3/useridentities/findOne", params={"filter": "{}"})
        assert mine.json()["userId"] == id1
        other = user1.get(
            "/api/v3/useridentities/findOne",
            params={"filter": f'{{"where": {{"userId": "{id2}"}}}}'},
        )
        assert other.status_code == 403
        header = admin.get(
            "/api/v3/useridentities/findOne",
            headers={"filter": '{"where": {"profile.username": "user2"}}'},
        )
        assert header.json()["userId"] == id2
        none = admin.get(
            "/api/v3/useridentities/findOne",
            params={"filter": '{"where": {"profile.username": "nobody"}}'},
        )
        assert none.status_code == 404
        valid = admin.get(
            "/api/v3/useridentities/isValidEmail", params={"filter": "user1@example.org"}
        )
        assert valid.json() is True
        invalid = admin.get("/api/v3/useridentities/isValidEmail", params={"filter": "x@y.z"})
        assert invalid.json() is False
        assert user1.get("/api/v3/useridentities/isValidEmail").status_code == 403
