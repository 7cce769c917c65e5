from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .common import InputModel


class Login(InputModel):
    plugin: Literal["dummy"] = Field("dummy", description="Only the dummy plugin exists here")
    login: str = Field(min_length=1)
    password: str = Field(min_length=1)


class TokenResponse(BaseModel):
    login: str
    token: str
    permissions: list[str]


class CurrentUserOut(BaseModel):
    login: str
    personId: int | None
    givenName: str | None
    familyName: str | None
    Permissions: list[str]
    groups: list[str]
