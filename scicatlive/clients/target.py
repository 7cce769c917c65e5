"""Where a stack's services are and who may log in: one target for seeding, sync and checks.

A :class:`Target` is built from a stack started here (``Stack.target``: its URLs and
generated passwords) or from options and environment variables
(:func:`target_from_options`), so the same seeding and checks serve a colleague's
stack, a CI service or a pre-production system.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from scicatlive.defaults import (
    DEFAULT_PID_PREFIX,
    DEFAULT_SITE,
    ENV_BACKEND,
    ENV_CREDENTIALS,
    ENV_FRONTEND,
    ENV_ISPYB,
    ENV_PASSWORD,
    ENV_USERNAME,
)
from scicatlive.errors import ConfigError


class Account(BaseModel):
    """A functional account: its password (never printed) and the groups it should have."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    password: SecretStr
    groups: tuple[str, ...] = ()


class Target(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    backend_url: str = Field(min_length=1)
    ispyb_url: str | None = None
    frontend_url: str | None = None
    accounts: dict[str, Account] = Field(default_factory=dict)
    stack: str | None = Field(default=None, description="a stack started here: enables docker-level checks")
    services: tuple[str, ...] = Field(default=(), description="the stack's services (docker-level checks)")
    published_urls: dict[str, str] = Field(default_factory=dict, description="service:port -> probe URL from the host")
    site: str = DEFAULT_SITE
    pid_prefix: str | None = None

    @field_validator("backend_url", "ispyb_url", "frontend_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    def describe(self) -> dict[str, str | None]:
        """What the report shows about the target (no secrets)."""
        return {
            "stack": self.stack,
            "backend_url": self.backend_url,
            "ispyb_url": self.ispyb_url,
            "frontend_url": self.frontend_url,
            "accounts": ", ".join(self.accounts) or None,
        }

    @property
    def seeding_pid_prefix(self) -> str:
        """The prefix new pids get: the backend's, or the default when it was not given."""
        return self.pid_prefix or DEFAULT_PID_PREFIX

    def password(self, username: str) -> str:
        account = self.accounts.get(username)
        if account is None:
            known = ", ".join(self.accounts) or "none"
            raise KeyError(f"no credentials for account {username!r} (known: {known})")
        return account.password.get_secret_value()


def target_from_options(
    *,
    backend_url: str | None,
    ispyb_url: str | None = None,
    frontend_url: str | None = None,
    credentials_file: Path | None = None,
    username: str | None = None,
    password: str | None = None,
    site: str | None = None,
    pid_prefix: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """A target given by URL; options win over ``SCICATLIVE_*`` environment variables."""
    env = os.environ if environ is None else environ
    backend_url = backend_url or env.get(ENV_BACKEND)
    if not backend_url:
        raise ConfigError("--backend-url", f"no backend URL: give --backend-url or set {ENV_BACKEND}")
    file = credentials_file or (Path(env[ENV_CREDENTIALS]) if env.get(ENV_CREDENTIALS) else None)
    accounts = load_credentials_file(file) if file else {}
    username = username or env.get(ENV_USERNAME)
    password = password or env.get(ENV_PASSWORD)
    if username:
        if not password:
            raise ConfigError("--password", f"--username {username} needs a password (--password or {ENV_PASSWORD})")
        previous = accounts.get(username)
        accounts[username] = Account(password=SecretStr(password), groups=previous.groups if previous else ())
    elif password:
        raise ConfigError("--username", "a password was given without --username")
    try:
        return Target(
            backend_url=backend_url,
            ispyb_url=ispyb_url or env.get(ENV_ISPYB) or None,
            frontend_url=frontend_url or env.get(ENV_FRONTEND) or None,
            accounts=accounts,
            site=site or DEFAULT_SITE,
            pid_prefix=pid_prefix,
        )
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(p) for p in problem["loc"])
        raise ConfigError(f"--{field.replace('_', '-')}", problem["msg"].removeprefix("Value error, ")) from None


class _FileAccount(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1)
    password: SecretStr
    groups: tuple[str, ...] = ()


def load_credentials_file(path: Path) -> dict[str, Account]:
    """Accounts from JSON or YAML: ``{accounts: [{username, password, groups}]}``,
    a bare list of those, or a mapping ``{username: {password, groups}}``."""
    location = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(location, f"cannot read the credentials file: {error.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ConfigError(location, f"not valid JSON/YAML: {error}") from None
    if isinstance(data, dict) and "accounts" in data:
        data = data["accounts"]
    if isinstance(data, dict):
        data = [{"username": name, **(value if isinstance(value, dict) else {})} for name, value in data.items()]
    if not isinstance(data, list) or not data:
        raise ConfigError(location, "expected a list of accounts ({username, password, groups}) or a mapping username -> {password, groups}")
    accounts: dict[str, Account] = {}
    for index, entry in enumerate(data):
        try:
            parsed = _FileAccount.model_validate(entry)
        except ValidationError as error:
            problem = error.errors()[0]
            field = ".".join(str(p) for p in problem["loc"])
            raise ConfigError(f"{location}: accounts[{index}].{field}", problem["msg"]) from None
        accounts[parsed.username] = Account(password=parsed.password, groups=parsed.groups)
    return accounts
