"""Where a stack's services are and who may log in: one target for seeding, sync and checks.

A :class:`Target` is built from a stack started here (``Stack.target``: its URLs and
generated passwords) or from options and environment variables
(:func:`target_from_options`), so the same seeding and checks serve a colleague's
stack, a CI service or a pre-production system.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from scicatlive.catalogue.model import FEATURES
from scicatlive.defaults import (
    DEFAULT_PID_PREFIX,
    DEFAULT_SITE,
    ENV_BACKEND,
    ENV_CREDENTIALS,
    ENV_FEATURES,
    ENV_FRONTEND,
    ENV_ISPYB,
    ENV_LANDING_URL,
    ENV_OAI_URL,
    ENV_OIDC_ISSUER,
    ENV_PASSWORD,
    ENV_RABBITMQ_PASSWORD,
    ENV_RABBITMQ_URL,
    ENV_RABBITMQ_USERNAME,
    ENV_SEARCHAPI_URL,
    ENV_USERNAME,
    GLOBAL_GROUP,
)
from scicatlive.errors import ConfigError

# How an account logs in to SciCat: its functional account (``/auth/login``), the LDAP
# directory (``/auth/ldap``), or the OpenID Connect provider (``/auth/oidc``).
Login = Literal["local", "ldap", "oidc"]
DEFAULT_RABBITMQ_ADMIN = "admin"


class Account(BaseModel):
    """An account: its password (never printed), the groups it should have, how it logs in."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    password: SecretStr
    groups: tuple[str, ...] = ()
    logins: tuple[Login, ...] = ("local",)

    @property
    def directory_groups(self) -> tuple[str, ...]:
        """The groups a directory or an OIDC provider gives the person: the profile's groups.
        ``globalaccess`` is what SciCat's functional accounts file adds for `global` accounts."""
        return tuple(g for g in self.groups if g != GLOBAL_GROUP)


class Broker(BaseModel):
    """RabbitMQ's management API and an account of it: where the jobs checks read the broker."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    username: str = DEFAULT_RABBITMQ_ADMIN
    password: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value)


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
    features: tuple[str, ...] = Field(default=(), description="the stack's features (jobs, ldap, oidc, search…)")
    broker: Broker | None = Field(default=None, description="RabbitMQ's management API (feature jobs)")
    oidc_issuer: str | None = Field(default=None, description="the OpenID Connect provider (feature oidc)")
    searchapi_url: str | None = Field(default=None, description="the PaNOSC search API (feature search)")
    oai_url: str | None = Field(default=None, description="the OAI-PMH base URL harvesters use (feature search)")
    landing_url: str | None = Field(default=None, description="the DOI landing pages (feature search)")

    @field_validator("backend_url", "ispyb_url", "frontend_url", "oidc_issuer", "searchapi_url", "oai_url", "landing_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("features")
    @classmethod
    def _features(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in value if f not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature {', '.join(map(repr, unknown))}; known features: {', '.join(FEATURES)}")
        return tuple(dict.fromkeys(value))

    def describe(self) -> dict[str, str | None]:
        """What the report shows about the target (no secrets)."""
        return {
            "stack": self.stack,
            "backend_url": self.backend_url,
            "ispyb_url": self.ispyb_url,
            "frontend_url": self.frontend_url,
            "accounts": ", ".join(self.accounts) or None,
            "features": ", ".join(self.features) or None,
            "rabbitmq_url": self.broker.url if self.broker else None,
            "oidc_issuer": self.oidc_issuer,
            "searchapi_url": self.searchapi_url,
            "oai_url": self.oai_url,
            "landing_url": self.landing_url,
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


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


@dataclass(frozen=True)
class FeatureOptions:
    """A remote target's features and their services, as options give them (None: not given).

    A service's URL switches its feature on (``rabbitmq_url`` → jobs, ``oidc_issuer`` →
    oidc, a search URL → search); ``ldap`` needs no URL of its own (the checks log in
    through the backend), so it is switched on with ``features`` only.
    """

    features: tuple[str, ...] = ()
    rabbitmq_url: str | None = None
    rabbitmq_username: str | None = None
    rabbitmq_password: str | None = None
    oidc_issuer: str | None = None
    searchapi_url: str | None = None
    oai_url: str | None = None
    landing_url: str | None = None

    def resolved(self, env: Mapping[str, str]) -> dict[str, Any]:
        """The Target fields, options winning over ``SCICATLIVE_*`` environment variables."""
        named = self.features or _split_features(env.get(ENV_FEATURES, ""))
        broker_url = self.rabbitmq_url or env.get(ENV_RABBITMQ_URL) or None
        password = self.rabbitmq_password or env.get(ENV_RABBITMQ_PASSWORD) or None
        fields: dict[str, Any] = {
            "oidc_issuer": self.oidc_issuer or env.get(ENV_OIDC_ISSUER) or None,
            "searchapi_url": self.searchapi_url or env.get(ENV_SEARCHAPI_URL) or None,
            "oai_url": self.oai_url or env.get(ENV_OAI_URL) or None,
            "landing_url": self.landing_url or env.get(ENV_LANDING_URL) or None,
        }
        services = {
            "jobs": broker_url,
            "oidc": fields["oidc_issuer"],
            "search": fields["searchapi_url"] or fields["oai_url"] or fields["landing_url"],
        }
        implied = [feature for feature, present in services.items() if present]
        if broker_url:
            try:
                fields["broker"] = Broker(
                    url=broker_url,
                    username=self.rabbitmq_username or env.get(ENV_RABBITMQ_USERNAME) or DEFAULT_RABBITMQ_ADMIN,
                    password=SecretStr(password) if password else None,
                )
            except ValidationError as error:
                raise ConfigError("--rabbitmq-url", error.errors()[0]["msg"].removeprefix("Value error, ")) from None
        fields["features"] = tuple(dict.fromkeys([*named, *implied]))
        return fields


def _split_features(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def split_features(values: Iterable[str]) -> tuple[str, ...]:
    """``--feature jobs --feature ldap,oidc`` → the names, in order, each once."""
    return tuple(dict.fromkeys(name for value in values for name in _split_features(value)))


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
    features: FeatureOptions | None = None,
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
        accounts[username] = (
            previous.model_copy(update={"password": SecretStr(password)})
            if previous
            else Account(password=SecretStr(password))
        )
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
            **(features or FeatureOptions()).resolved(env),
        )
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(p) for p in problem["loc"])
        option = OPTION_NAMES.get(field, f"--{field.replace('_', '-')}")
        raise ConfigError(option, problem["msg"].removeprefix("Value error, ")) from None


# Target fields whose command-line option has another name.
OPTION_NAMES = {"features": "--feature", "oai_url": "--oai-url", "landing_url": "--landing-url"}


class _FileAccount(BaseModel):
    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1)
    password: SecretStr
    groups: tuple[str, ...] = ()
    ldap_only: bool = False
    logins: tuple[Login, ...] | None = Field(default=None, min_length=1)

    def account(self) -> Account:
        """``logins`` as given; else a person of the directory only (``ldap_only``) logs in
        through LDAP and OIDC, and anyone else with the functional account."""
        logins = self.logins or (("ldap", "oidc") if self.ldap_only else ("local",))
        return Account(password=self.password, groups=self.groups, logins=tuple(dict.fromkeys(logins)))


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
        accounts[parsed.username] = parsed.account()
    return accounts
