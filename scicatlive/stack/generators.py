"""Files generated per stack from the profile: accounts and configuration.

Each generator turns the stack (with its secrets) into the content of one
file that a service reads, e.g. the SciCat backend's ``functionalAccounts.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scicatlive.catalogue.model import Role
from scicatlive.profiles.model import Account
from scicatlive.stack.feature_generators import FEATURE_GENERATORS
from scicatlive.stack.resolve import ResolvedStack
from scicatlive.stack.secrets import SecretStore, account_secret


@dataclass(frozen=True)
class GeneratorContext:
    stack: ResolvedStack
    secrets: SecretStore

    def password(self, account: Account) -> str:
        return self.secrets[account_secret(account.username)]


Generator = Callable[[GeneratorContext], str]


def service_accounts(ctx: GeneratorContext) -> list[Account]:
    """Accounts the services know themselves; `ldap_only` people live in the directory only."""
    return [account for account in ctx.stack.accounts if not account.ldap_only]


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def functional_accounts(accounts: Iterable[Account], password: Callable[[Account], str]) -> list[dict[str, object]]:
    """The SciCat backend's ``functionalAccounts.json``: ``role`` is a string, or a list for several groups."""
    return [
        {
            "username": account.username,
            "email": account.email,
            "password": password(account),
            "role": account.groups[0] if len(account.groups) == 1 else list(account.groups),
            "global": account.global_,
        }
        for account in accounts
    ]


def ispyb_accounts(accounts: Iterable[Account], password: Callable[[Account], str]) -> list[dict[str, object]]:
    """The ISPyB mock's users file."""
    return [
        {
            "login": account.username,
            "password": password(account),
            "permissions": list(account.ispyb_permissions),
            "groups": list(account.groups),
        }
        for account in accounts
    ]


def scicat_functional_accounts(ctx: GeneratorContext) -> str:
    return _json(functional_accounts(service_accounts(ctx), ctx.password))


def ispyb_users(ctx: GeneratorContext) -> str:
    return _json(ispyb_accounts(service_accounts(ctx), ctx.password))


def scicat_frontend_config(ctx: GeneratorContext) -> str:
    backends = ctx.stack.by_role(Role.BACKEND)
    backend_url = ctx.stack.public_url(backends[0].name) if backends else None
    features = set(ctx.stack.profile.features)
    config: dict[str, object] = {
        "lbBaseURL": backend_url or "",
        "jobsEnabled": "jobs" in features,
        "oAuth2Endpoints": [],
        "siteTitle": ctx.stack.settings.site,
    }
    # SciCatLive's config.{jobs,ldap,oidc}.json overlays.
    if "jobs" in features:
        config |= {"archiveWorkflowEnabled": True, "mainMenu": {"authenticatedUser": {"jobs": True}}}
    if "ldap" in features:
        config |= {"loginLdapEnabled": True, "loginLdapLabel": "Connect with LDAP",
                   "externalAuthEndpoint": "/api/v3/auth/ldap"}
    if "oidc" in features:
        config |= {"loginFacilityLabel": "Facility",
                   "oAuth2Endpoints": [{"authURL": "api/v3/auth/oidc", "displayText": "OIDC"}]}
    return _json(config)


def landingpage_config(ctx: GeneratorContext) -> str:
    """The config.json SciCatLive gives the landing page (services/landingpage/config), with
    this stack's public URLs; both the upstream image and our local build read it."""

    def public(role: Role) -> str:
        services = ctx.stack.by_role(role)
        return (ctx.stack.public_url(services[0].name) or "") if services else ""

    def service_url(name: str, suffix: str) -> str:
        url = ctx.stack.public_url(name) if name in ctx.stack.services else None
        return f"{url}{suffix}" if url else ""

    return _json(
        {
            "directMongoAccess": True,
            "doiBaseUrl": service_url("landingpage", "/detail/"),
            "facility": ctx.stack.settings.site,
            "scicatBaseUrl": public(Role.FRONTEND),
            "lbBaseUrl": public(Role.BACKEND),
            "oaiProviderRoute": service_url("oaipmh", "/oai"),
            "accessDataHref": "",
            "statusCode": "INFO",
            "statusMessage": "",
            "contactEmail": "support@scicat.eu",
        }
    )


GENERATORS: dict[str, Generator] = {
    "scicat-functional-accounts": scicat_functional_accounts,
    "ispyb-users": ispyb_users,
    "scicat-frontend-config": scicat_frontend_config,
    **FEATURE_GENERATORS,
    "landingpage-config": landingpage_config,
}
