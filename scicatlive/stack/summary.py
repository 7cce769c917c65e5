"""What `profiles list` and `profiles show` report: a profile as it will run."""

from __future__ import annotations

from dataclasses import dataclass

from scicatlive.profiles.loader import DEFAULT_PROFILE, bundled_profiles
from scicatlive.stack.load import load_stack


@dataclass(frozen=True)
class ServiceSummary:
    name: str
    role: str
    variant: str
    image: str
    local_build: bool
    host_ports: list[int]
    depends_on: list[str]


@dataclass(frozen=True)
class AccountSummary:
    username: str
    email: str
    groups: list[str]


@dataclass(frozen=True)
class ProfileSummary:
    name: str
    source: str
    description: str
    default: bool
    stack: str
    services: list[ServiceSummary]
    accounts: list[AccountSummary]
    features: list[str]


def summarize(reference: str) -> ProfileSummary:
    stack = load_stack(reference)
    return ProfileSummary(
        name=stack.profile.name,
        source=str(stack.profile.source),
        description=stack.profile.description.strip(),
        default=stack.profile.name == DEFAULT_PROFILE,
        stack=stack.name,
        services=[
            ServiceSummary(
                s.name, s.role.value, s.variant, s.image, s.is_local,
                [p.host for p in s.ports if p.host is not None], list(s.depends_on),
            )
            for s in stack.services.values()
        ],
        accounts=[AccountSummary(a.username, a.email, list(a.groups)) for a in stack.accounts],
        features=list(stack.profile.features),
    )


def summarize_all() -> list[ProfileSummary]:
    """Every profile a user can name; hidden ones (``_common``) only serve ``extends``."""
    return [summarize(name) for name in sorted(bundled_profiles()) if not name.startswith("_")]
