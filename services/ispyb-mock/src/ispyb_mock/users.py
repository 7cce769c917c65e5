"""The accounts that may log in: a JSON file generated per stack.

File format (the ``ispyb-users`` generator of scicatlive)::

    [{"login": "seeder", "password": "...", "permissions": ["all_proposals"], "groups": []}]
"""

from __future__ import annotations

import hmac
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError


class UsersFileError(ValueError):
    """The users file is missing or does not hold a valid account list."""


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    login: str = Field(min_length=1, max_length=45)
    password: str = Field(min_length=1)
    permissions: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


_ACCOUNTS = TypeAdapter(list[Account])


class Accounts:
    def __init__(self, accounts: list[Account]) -> None:
        self._by_login = {account.login: account for account in accounts}
        if len(self._by_login) != len(accounts):
            raise UsersFileError("the users file lists a login twice")

    @classmethod
    def load(cls, path: Path) -> Accounts:
        try:
            return cls(_ACCOUNTS.validate_json(path.read_bytes()))
        except OSError as error:
            raise UsersFileError(f"cannot read users file {path}: {error.strerror}") from error
        except ValidationError as error:
            raise UsersFileError(f"invalid users file {path}: {error}") from error

    def get(self, login: str) -> Account | None:
        return self._by_login.get(login)

    def authenticate(self, login: str, password: str) -> Account | None:
        """The account when the password matches, compared in constant time."""
        account = self._by_login.get(login)
        expected = account.password if account else ""
        matches = hmac.compare_digest(expected.encode(), password.encode())
        return account if account is not None and matches else None
