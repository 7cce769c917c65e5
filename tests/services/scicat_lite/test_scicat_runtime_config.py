"""The frontend configuration served from the database (runtime-config and admin routes)."""

from __future__ import annotations

import pytest
from lite_harness import FRONTEND_CONFIG
from lite_harness import LiteServer

pytestmark = pytest.mark.database


def test_frontend_config_is_served(lite_server: LiteServer) -> None:
    with lite_server.client() as anonymous:
        assert anonymous.get("/api/v3/admin/config").json() == FRONTEND_CONFIG
        record = anonymous.get("/api/v3/runtime-config/frontendConfig").json()
        assert record["cid"] == "frontendConfig"
        assert record["createdBy"] == "system"
        assert {"createdAt", "updatedAt", "updatedBy"} <= set(record)
        theme = anonymous.get("/api/v3/admin/theme")
        assert theme.status_code == 404
        assert theme.json()["message"] == "Config 'frontendTheme' not found"
        assert anonymous.get("/api/v3/runtime-config/nothing").status_code == 404


def test_only_admins_change_it(lite_server: LiteServer) -> None:
    changed = {**FRONTEND_CONFIG, "siteTitle": "changed"}
    with lite_server.client() as anonymous, lite_server.client("user1") as user:
        for client in (anonymous, user):
            answer = client.put("/api/v3/runtime-config/frontendConfig", json={"data": changed})
            assert answer.status_code == 403
    with lite_server.client("admin") as admin:
        bad = admin.put("/api/v3/runtime-config/frontendConfig", json={"data": []})
        assert bad.status_code == 400
        done = admin.put("/api/v3/runtime-config/frontendConfig", json={"data": changed})
        assert done.json()["updatedBy"] == "admin"
        assert admin.get("/api/v3/admin/config").json()["siteTitle"] == "changed"
        admin.put("/api/v3/runtime-config/frontendConfig", json={"data": FRONTEND_CONFIG})
        missing = admin.put("/api/v3/runtime-config/nothing", json={"data": {}})
        assert missing.status_code == 404
