"""A profile: which services a stack runs, how, and with which accounts."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from scicatlive.catalogue.model import NAME_PATTERN, Feature, Port
from scicatlive.defaults import DEFAULT_PID_PREFIX, DEFAULT_SITE
from scicatlive.names import STACK_NAME_PATTERN
from scicatlive.validation import StrictModel

USERNAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _check_address(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)") from None
    return value


BindAddress = Annotated[str, AfterValidator(_check_address)]


class ServiceOptions(StrictModel):
    """How a profile wants one catalogue service run."""

    enabled: bool = True
    variant: str | None = None
    version: str | None = Field(default=None, description="tag of the upstream image")
    image: str | None = Field(default=None, description="a whole image reference instead")
    environment: dict[str, str] = Field(default_factory=dict)
    port: Port | None = Field(default=None, description="host port of the service's first port")
    source: str | None = Field(
        default=None, min_length=1,
        description="dev mode: a checkout of the service to run live (relative to the profile file)",
    )

    def merged_with(self, top: ServiceOptions) -> ServiceOptions:
        """``top`` over these options: the keys it sets win, environments merge."""
        update = {key: getattr(top, key) for key in top.model_fields_set if key != "environment"}
        update["environment"] = {**self.environment, **top.environment}
        return self.model_copy(update=update)

    @field_validator("environment")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not name or not (name[0].isalpha() or name[0] == "_") or not name.replace("_", "a").isalnum():
                raise ValueError(f"{name!r} is not a valid environment variable name")
        return value


class Account(StrictModel):
    """A functional account, known to the SciCat backend and the ISPyB mock."""

    username: Annotated[str, Field(pattern=USERNAME_PATTERN)]
    email: Annotated[str, Field(pattern=EMAIL_PATTERN)]
    groups: list[str] = Field(default_factory=list)
    # Any non-empty password: client libraries' own CI accounts use short ones (SciCatLive's
    # ingestor has 4 characters); `up` warns about those shorter than 8.
    password: str | None = Field(default=None, min_length=1, description="omit to generate one")
    global_: bool = Field(default=False, alias="global")
    ispyb_permissions: list[str] = Field(default_factory=list)
    ldap_only: bool = Field(
        default=False,
        description="a person of the LDAP directory (and the OIDC provider) only: no functional account",
    )


class StackSettings(StrictModel):
    name: Annotated[str, Field(pattern=STACK_NAME_PATTERN)] | None = None
    bind_address: BindAddress = "127.0.0.1"
    port_offset: int = Field(default=0, ge=0, le=60000)
    pid_prefix: str = Field(default=DEFAULT_PID_PREFIX, min_length=1)
    site: str = DEFAULT_SITE
    wait_timeout: int = Field(default=300, ge=5, le=3600, description="seconds to reach healthy")


class ProfileLayer(StrictModel):
    """What one profile file says; ``extends`` chains layers into a profile."""

    description: str = ""
    extends: str | None = None
    stack: StackSettings | None = None
    services: dict[Annotated[str, Field(pattern=NAME_PATTERN)], ServiceOptions | None] = Field(
        default_factory=dict
    )
    accounts: list[Account] = Field(default_factory=list)
    seed: str | Literal[False] | None = Field(
        default=None,
        description="the recipe a new stack is seeded with on its first `up` (a bundled recipe or a "
        "file relative to this profile); false: none",
    )

    @field_validator("seed", mode="before")
    @classmethod
    def _recipe_reference(cls, value: object) -> object:
        if value is False or value is None or (isinstance(value, str) and value.strip()):
            return value
        raise ValueError(f"name a recipe (tiny, demo, training, large or a file), or false for none; got {value!r}")
    # `features` replaces the parent's list; `feature_services` says which catalogue
    # services (and how) realize each feature in this profile, merged like `services`.
    features: list[Feature] | None = None
    feature_services: dict[
        Feature, dict[Annotated[str, Field(pattern=NAME_PATTERN)], ServiceOptions | None]
    ] = Field(default_factory=dict)

    @field_validator("features")
    @classmethod
    def _unique_features(cls, features: list[str] | None) -> list[str] | None:
        if features is not None and len(set(features)) != len(features):
            raise ValueError("a feature appears twice")
        return features

    @field_validator("accounts")
    @classmethod
    def _unique_usernames(cls, accounts: list[Account]) -> list[Account]:
        seen: set[str] = set()
        for account in accounts:
            if account.username in seen:
                raise ValueError(f"username {account.username!r} appears twice")
            seen.add(account.username)
        return accounts
