"""Test helpers for scicat-lite: a server in a thread of the test process, with the test accounts."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support import serve_app


@dataclass(frozen=True)
class LiteServer:
    """A running scicat-lite instance and the credentials of its accounts."""

    url: str
    passwords: dict[str, str]
    pid_prefix: str

    def token(self, username: str) -> str:
        response = httpx.post(
            f"{self.url}/api/v3/auth/login",
            json={"username": username, "password": self.passwords[username]},
        )
        response.raise_for_status()
        token: str = response.json()["id"]
        return token

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@contextmanager
def sdk_client(server: LiteServer, username: str | None = None) -> Iterator[Any]:
    """A scicat-sdk-py ``ApiClient`` for ``server``, logged in as ``username`` when given."""
    import scicat_sdk_py as sdk

    config = sdk.Configuration(host=server.url)
    with sdk.ApiClient(config) as client:
        if username is not None:
            credentials = sdk.CredentialsDto(username=username, password=server.passwords[username])
            config.access_token = (
                sdk.AuthApi(client).auth_controller_login_v3(credentials).access_token
            )
        yield client


def account_clients(server: LiteServer, users: tuple[str, ...]) -> dict[str, httpx.Client]:
    """A logged-in client per user, and ``"anonymous"``."""
    made = {name: server.client(name) for name in users}
    made["anonymous"] = server.client()
    return made


def new_dataset(client: httpx.Client, owner_group: str, **extra: Any) -> str:
    """The pid of a new raw dataset of ``owner_group``, created by ``client``."""
    body = {
        "ownerGroup": owner_group,
        "owner": "o",
        "contactEmail": "o@example.org",
        "ownerEmail": "owner@example.org",
        "sourceFolder": "/data/x",
        "creationTime": "2024-01-01T00:00:00Z",
        "principalInvestigator": "pi",
        "creationLocation": "/l",
        "type": "raw",
        **extra,
    }
    response = client.post("/api/v3/datasets", json=body)
    assert response.status_code == 201, response.text
    pid: str = response.json()["pid"]
    return pid


ACCOUNT_GROUPS = {
    "admin": "admin",
    "ingestor": "ingestor",
    "archiveManager": "archivemanager",
    "proposalIngestor": "proposalingestor",
    "user1": "group1",
    "user2": "group2",
    "user3": "group3",
}
# SciCatLive's (and pyscicat's CI) ingestor password is 4 characters; it must work here.
FIXED_PASSWORDS = {"ingestor": "aman"}
FRONTEND_CONFIG = {"siteTitle": "scicat-lite tests", "defaultDatasetsListSettings": {"columns": []}}


@contextmanager
def serve_lite(
    database_url: str, workdir: Path, port: int, extra_env: dict[str, str] | None = None
) -> Iterator[LiteServer]:
    """A scicat-lite in a thread of this process, with the test accounts."""
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    passwords = {
        name: FIXED_PASSWORDS.get(name) or secrets.token_urlsafe(12) for name in ACCOUNT_GROUPS
    }
    accounts_file = workdir / "functionalAccounts.json"
    accounts = [
        {
            "username": n,
            "email": f"{n.lower()}@example.org",
            "password": passwords[n],
            "role": g,
            "global": False,
        }
        for n, g in ACCOUNT_GROUPS.items()
    ]
    accounts_file.write_text(json.dumps(accounts))
    frontend_config = workdir / "frontend.config.json"
    frontend_config.write_text(json.dumps(FRONTEND_CONFIG))
    settings = Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "JWT_SECRET": secrets.token_hex(16),
            "PID_PREFIX": "20.500.12269",
            "FUNCTIONAL_ACCOUNTS_FILE": str(accounts_file),
            "ADMIN_GROUPS": "admin",
            "DELETE_GROUPS": "archivemanager",
            "PROPOSAL_GROUPS": "proposalingestor",
            "SAMPLE_GROUPS": "ingestor",
            "MAX_FILE_UPLOAD_SIZE": "1mb",
            "FRONTEND_CONFIG_FILE": str(frontend_config),
            "PORT": str(port),
            **(extra_env or {}),
        }
    )
    with serve_app(create_app(settings), port=port) as url:
        yield LiteServer(url=url, passwords=passwords, pid_prefix="20.500.12269")
