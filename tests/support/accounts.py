"""The bundled profiles' accounts, and the account files the services read, for in-process tests."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from scicatlive.defaults import GLOBAL_GROUP
from scicatlive.profiles.model import Account as ProfileAccount
from scicatlive.stack.generators import functional_accounts, ispyb_accounts

__all__ = ["ProfileAccount", "accounts_file", "ispyb_users_file", "new_passwords", "profile_accounts"]


@cache
def profile_accounts(profile: str = "lite") -> tuple[ProfileAccount, ...]:
    """The accounts a stack of ``profile`` gets (read from the bundled profiles, never copied)."""
    from scicatlive.catalogue.loader import default_catalogue
    from scicatlive.profiles.loader import load_profile

    return load_profile(profile, default_catalogue()).accounts


def new_passwords(accounts: tuple[ProfileAccount, ...]) -> dict[str, str]:
    return {account.username: secrets.token_urlsafe(12) for account in accounts}


def groups_of(account: ProfileAccount) -> tuple[str, ...]:
    """The groups SciCat reports for the account (``global`` adds ``globalaccess``)."""
    return (*account.groups, GLOBAL_GROUP) if account.global_ else tuple(account.groups)


def accounts_file(path: Path, accounts: tuple[ProfileAccount, ...], passwords: Mapping[str, str]) -> Path:
    """The SciCat backend's ``functionalAccounts.json`` for these accounts, written as a stack would."""
    path.write_text(json.dumps(functional_accounts(accounts, lambda a: passwords[a.username]), indent=2))
    return path


def ispyb_users_file(path: Path, accounts: tuple[ProfileAccount, ...], passwords: Mapping[str, str]) -> Path:
    """The ISPyB mock's users file for these accounts, written as a stack would."""
    path.write_text(json.dumps(ispyb_accounts(accounts, lambda a: passwords[a.username]), indent=2))
    return path
