"""Request bodies of the users, auth and runtime-config routes (upstream's DTOs)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StrictStr

from .dto import JsonObject, NonEmpty, Number, Strict


def _to_string(value: Any) -> Any:
    """class-transformer's ``@Type(() => String)``."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class IdToken(Strict):
    idToken: NonEmpty


class UserSettingsFields(Strict):
    """``UpdateUserSettingsDto``; with every field optional it is the PUT/PATCH body."""

    datasetCount: Number | None = None
    jobCount: Number | None = None
    externalSettings: JsonObject | None = None


class CreateUserSettings(Strict):
    """``CreateUserSettingsDto``: the counts carry ``@IsNumber()`` without ``@IsOptional()``."""

    datasetCount: Number
    jobCount: Number
    externalSettings: JsonObject | None = None
    userId: StrictStr


class UpdatePassword(Strict):
    currentPassword: NonEmpty
    newPassword: NonEmpty
    confirmPassword: NonEmpty


class AdminUpdatePassword(Strict):
    newPassword: NonEmpty
    confirmPassword: NonEmpty


class CustomJwt(Strict):
    expiresIn: Annotated[str | None, BeforeValidator(_to_string)] = None


class UpdateRuntimeConfig(Strict):
    data: JsonObject
