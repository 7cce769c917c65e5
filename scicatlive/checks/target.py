"""What the checks run against: URLs and accounts, of a local stack or of any stack by URL.

A :class:`Target` is built either from a stack started here (its URLs and
generated passwords) or from options and environment variables, so the same
checks verify a colleague's stack, a CI service or a pre-production system.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from scicatlive.catalogue.model import Role
from scicatlive.errors import ConfigError

if TYPE_CHECKING:
    from scicatlive.stack.resolve import ResolvedStack

ENV_BACKEND = "SCICATLIVE_BACKEND_URL"
ENV_ISPYB = "SCICATLIVE_ISPYB_URL"
ENV_FRONTEND = "SCICATLIVE_FRONTEND_URL"
ENV_CREDENTIALS = "SCICATLIVE_CREDENTIALS_FILE"
ENV_USERNAME = "SCICATLIVE_USERNAME"
ENV_PASSWORD = "SCICATLIVE_PASSWORD"
DEFAULT_SITE = "SCICATLIVE"
GLOBAL_GROUP = "globalaccess"


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

    def password(self, username: str) -> str:
        account = self.accounts.get(username)
        if account is None:
            known = ", ".join(self.accounts) or "none"
            raise KeyError(f"no credentials for account {username!r} (known: {known})")
        return account.password.get_secret_value()


def target_from_stack(name: str) -> Target:
    """The target of a stack started here: its public URLs and its generated accounts."""
    from scicatlive.stack.load import credentials, reload_stack

    stack = reload_stack(name)
    found = credentials(name)
    accounts = {
        a.username: Account(password=SecretStr(a.password), groups=_with_global(a.groups, stack, a.username))
        for a in found.accounts
    }
    backend = _role_url(stack, Role.BACKEND)
    if backend is None:
        raise ConfigError(str(stack.profile.source), f"stack {name!r} publishes no SciCat backend URL to check")
    return Target(
        backend_url=backend,
        ispyb_url=_role_url(stack, Role.ISPYB),
        frontend_url=_role_url(stack, Role.FRONTEND),
        accounts=accounts,
        stack=name,
        services=tuple(stack.services),
        published_urls=_probe_urls(stack),
        site=stack.settings.site,
        pid_prefix=stack.settings.pid_prefix,
    )


def _with_global(groups: tuple[str, ...], stack: ResolvedStack, username: str) -> tuple[str, ...]:
    """SciCat adds ``globalaccess`` to the groups of accounts marked ``global``."""
    account = next(a for a in stack.accounts if a.username == username)
    return (*groups, GLOBAL_GROUP) if account.global_ else groups


def _probe_urls(stack: ResolvedStack) -> dict[str, str]:
    """``service:port`` -> the URL of each published HTTP port, with its probe path."""
    host = stack.public_host()
    return {
        f"{service.name}:{port.name}": f"http://{host}:{port.host}{port.path or '/'}"
        for service in stack.services.values()
        for port in service.ports
        if port.host is not None and port.protocol == "http"
    }


def _role_url(stack: ResolvedStack, role: Role) -> str | None:
    services = stack.by_role(role)
    return stack.public_url(services[0].name) if services else None


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
