"""Turn what a user names (a profile, a stack) into a resolved stack, and read a stack's secrets."""

from __future__ import annotations

from dataclasses import dataclass

from scicatlive.catalogue.loader import default_catalogue
from scicatlive.names import check_stack_name
from scicatlive.profiles.loader import DEFAULT_PROFILE, load_profile
from scicatlive.stack.record import StackPaths, known_stacks
from scicatlive.stack.resolve import ResolvedStack, StackOptions, resolve_stack
from scicatlive.stack.secrets import SecretStore, account_secret


def load_stack(
    profile: str | None = None,
    *,
    stack: str | None = None,
    port_offset: int | None = None,
    offline: bool = False,
    where: str = "--stack",
) -> ResolvedStack:
    """Load a profile (default ``lite``) and resolve it into a stack; ``where`` names a bad ``stack``."""
    if stack is not None:
        check_stack_name(stack, where)
    catalogue = default_catalogue()
    loaded = load_profile(profile or DEFAULT_PROFILE, catalogue)
    return resolve_stack(loaded, catalogue, StackOptions(stack=stack, port_offset=port_offset, offline=offline))


def default_stack_name(profile: str | None, stack: str | None, *, where: str = "--stack") -> str:
    """The stack a command that takes no profile means.

    An explicit name wins; then the stack of the given profile; then, if only
    one stack exists here, that one; else the default profile's stack.
    """
    if stack:
        return check_stack_name(stack, where)
    if profile:
        return load_stack(profile).name
    existing = known_stacks()
    if len(existing) == 1:
        return existing[0]
    return load_stack(None).name


@dataclass(frozen=True)
class AccountCredentials:
    username: str
    password: str
    email: str
    groups: tuple[str, ...]
    global_: bool = False
    ldap_only: bool = False


@dataclass(frozen=True)
class Credentials:
    stack: str
    accounts: tuple[AccountCredentials, ...]
    secrets: dict[str, str]
    urls: dict[str, str]


def credentials_of(stack: ResolvedStack) -> Credentials:
    """The stack's accounts with their passwords, its other secrets and its URLs."""
    store = SecretStore(StackPaths.for_stack(stack.name).secrets)
    accounts = tuple(
        AccountCredentials(
            a.username, store[account_secret(a.username)], a.email, tuple(a.groups), a.global_, a.ldap_only
        )
        for a in stack.accounts
        if account_secret(a.username) in store
    )
    other = {k: v for k, v in store.items() if not k.startswith("account.")}
    urls = {s: url for s in stack.services if (url := stack.public_url(s))}
    return Credentials(stack.name, accounts, other, urls)
