"""A trainee's session on a stack, for notebooks: URLs, the account, and the three clients.

The Jupyter service sets ``SCICAT_URL`` (and ``ISPYB_URL`` when the stack has ISPyB) to
the stack as seen from inside its network; the trainee's account comes from
``SCICAT_USERNAME`` / ``SCICAT_PASSWORD`` or, when those are not set, is asked for once.
From the host, pass the URLs and the account from ``scicatlive credentials``.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from scicatlive.errors import ConfigError, ServiceError

SCICAT_API = "/api/v3"
ISPYB_API = "/ispyb/api/v1"
_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def _api_root(url: str) -> str:
    """``http://host:3000``, ``…/api/v3`` or ``…/api/v3/`` → ``http://host:3000/api/v3``."""
    base = url.rstrip("/")
    for suffix in ("/api/v3", "/api/v4", "/api"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    return base + SCICAT_API


@dataclass(frozen=True)
class TrainingSession:
    """A logged-in trainee: where SciCat and ISPyB are, who they are, and their token."""

    scicat_url: str
    username: str
    token: str
    groups: tuple[str, ...]
    ispyb_url: str | None = None
    _password: str = field(default="", repr=False)

    @property
    def server_url(self) -> str:
        """SciCat's server root (``http://host:port``), what scicat-sdk-py calls ``host``."""
        return self.scicat_url.removesuffix(SCICAT_API)

    def http(self) -> httpx.Client:
        """An httpx client on SciCat's v3 API with the trainee's token."""
        return httpx.Client(
            base_url=self.scicat_url + "/", headers={"Authorization": f"Bearer {self.token}"}, timeout=_TIMEOUT
        )

    def pyscicat(self) -> Any:
        """A pyscicat ``ScicatClient`` logged in as the trainee."""
        from pyscicat.client import ScicatClient  # type: ignore[import-untyped]

        return ScicatClient(base_url=self.scicat_url + "/", token=self.token)

    def scitacean(self, **options: Any) -> Any:
        """A scitacean ``Client`` with the trainee's token (plain http is fine on a local stack)."""
        from scitacean import Client

        return Client.from_token(url=self.scicat_url, token=self.token, allow_http=True, **options)

    def sdk(self) -> Any:
        """A scicat-sdk-py ``ApiClient`` with the trainee's token; close it when done."""
        import scicat_sdk_py

        configuration = scicat_sdk_py.Configuration(host=self.server_url, access_token=self.token)  # type: ignore[attr-defined]
        return scicat_sdk_py.ApiClient(configuration)  # type: ignore[attr-defined]

    def ispyb(self) -> httpx.Client:
        """An httpx client on the ISPyB mock's API, logged in with the same account."""
        if self.ispyb_url is None:
            raise ConfigError("ISPYB_URL", "this stack has no ISPyB service (set ISPYB_URL to use one)")
        client = httpx.Client(base_url=self.ispyb_url.rstrip("/") + ISPYB_API + "/", timeout=_TIMEOUT)
        response = client.post("auth/login", json={"plugin": "dummy", "login": self.username, "password": self._password})
        if response.status_code not in (200, 201):
            client.close()
            raise ServiceError(f"ISPyB refused the login of {self.username!r}: {response.status_code} {response.text[:200]}")
        client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return client


def connect(
    scicat_url: str | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    ispyb_url: str | None = None,
) -> TrainingSession:
    """Log in to the stack's SciCat as the trainee and return the session.

    Every argument falls back to its environment variable (``SCICAT_URL``,
    ``SCICAT_USERNAME``, ``SCICAT_PASSWORD``, ``ISPYB_URL``); a missing account is
    asked for interactively.
    """
    url = scicat_url or os.environ.get("SCICAT_URL")
    if not url:
        raise ConfigError("SCICAT_URL", "no SciCat URL: pass scicat_url=… or set SCICAT_URL")
    username = username or os.environ.get("SCICAT_USERNAME") or input("SciCat username: ").strip()
    password = password or os.environ.get("SCICAT_PASSWORD") or getpass.getpass(f"password of {username}: ")
    api = _api_root(url)
    try:
        response = httpx.post(f"{api}/auth/login", json={"username": username, "password": password}, timeout=_TIMEOUT)
    except httpx.HTTPError as error:
        raise ServiceError(f"SciCat at {api} does not answer: {error}") from None
    if response.status_code == 401:
        raise ServiceError(f"SciCat refused the login of {username!r}: wrong username or password",
                           hint="your handout, or `scicatlive credentials`, has your password")
    if response.status_code not in (200, 201):
        raise ServiceError(f"logging in to SciCat at {api} failed: {response.status_code} {response.text[:200]}")
    body = response.json()
    groups = _current_groups(api, body["access_token"])
    return TrainingSession(
        scicat_url=api,
        username=username,
        token=body["access_token"],
        groups=groups,
        ispyb_url=ispyb_url or os.environ.get("ISPYB_URL") or None,
        _password=password,
    )


def _current_groups(api: str, token: str) -> tuple[str, ...]:
    """The caller's groups as the backend sees them (``/auth/whoami``'s ``currentGroups``)."""
    response = httpx.get(f"{api}/auth/whoami", headers={"Authorization": f"Bearer {token}"}, timeout=_TIMEOUT)
    if response.status_code != 200 or not response.content:
        return ()
    return tuple(response.json().get("currentGroups") or ())
