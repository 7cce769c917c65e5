"""Login, refresh and the current user (py-ISPyB's shapes, plus MXCuBE's refresh fields)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Login(BaseModel):
    """py-ISPyB's login body: every field optional, unknown keys ignored."""

    model_config = ConfigDict(extra="ignore")

    plugin: str | None = Field(None, description="dummy (the users file) or keycloak (OIDC)")
    login: str | None = None
    password: str | None = None
    token: str | None = Field(None, description="The OIDC access token (keycloak plugin)")


class Refresh(BaseModel):
    model_config = ConfigDict(extra="ignore")

    refreshToken: str = Field(min_length=1)


class TokenResponse(BaseModel):
    login: str
    token: str
    permissions: list[str]
    refreshToken: str = Field(description="For POST /auth/refresh (MXCuBE's client uses it)")
    expiresIn: int = Field(description="Seconds until the token expires")


class PluginConfig(BaseModel):
    name: str
    config: dict[str, Any]


class AuthConfig(BaseModel):
    plugins: list[PluginConfig]


class CurrentUserOut(BaseModel):
    login: str
    personId: int | None
    givenName: str | None
    familyName: str | None
    Permissions: list[str]
    groups: list[str]
