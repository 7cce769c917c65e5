"""Turn what a user names (a profile, a stack) into a resolved stack."""

from __future__ import annotations

from dataclasses import dataclass

from scicatlive.catalogue.loader import default_catalogue
from scicatlive.profiles.loader import DEFAULT_PROFILE, load_profile
from scicatlive.stack.resolve import ResolvedStack, StackOptions, resolve_stack
from scicatlive.stack.secrets import SecretStore, account_secret
from scicatlive.stack.state import StackPaths, known_stacks, read_record


def load_stack(
    profile: str | None = None,
    *,
    stack: str | None = None,
    port_offset: int | None = None,
    offline: bool = False,
) -> ResolvedStack:
    """Load a profile (default ``lite``) and resolve it into a stack."""
    catalogue = default_catalogue()
    loaded = load_profile(profile or DEFAULT_PROFILE, catalogue)
    return resolve_stack(loaded, catalogue, StackOptions(stack=stack, port_offset=port_offset, offline=offline))


def default_stack_name(profile: str | None, stack: str | None) -> str:
    """The stack a command that takes no profile means.

    An explicit name wins; then the stack of the given profile; then, if only
    one stack exists here, that one; else the default profile's stack.
    """
    if stack:
        return stack
    if profile:
        return load_stack(profile).name
    existing = known_stacks()
    if len(existing) == 1:
        return existing[0]
    return load_stack(None).name


def reload_stack(name: str) -> ResolvedStack:
    """An existing stack, resolved again from the profile and options that started it."""
    record = read_record(name)
    return load_stack(record.profile, stack=name, port_offset=record.port_offset, offline=record.offline)


@dataclass(frozen=True)
class AccountCredentials:
    username: str
    password: str
    email: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Credentials:
    stack: str
    accounts: tuple[AccountCredentials, ...]
    secrets: dict[str, str]
    urls: dict[str, str]


def credentials(name: str) -> Credentials:
    stack = reload_stack(name)
    store = SecretStore(StackPaths.for_stack(name).secrets)
    accounts = tuple(
        AccountCredentials(a.username, store[account_secret(a.username)], a.email, tuple(a.groups))
        for a in stack.accounts
        if account_secret(a.username) in store
    )
    other = {k: v for k, v in store.items() if not k.startswith("account.")}
    urls = {s: url for s in stack.services if (url := stack.public_url(s))}
    return Credentials(name, accounts, other, urls)
