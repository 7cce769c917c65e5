"""The target of a stack started here: its public URLs, its generated accounts, its features."""

from __future__ import annotations

from pydantic import SecretStr

from scicatlive.catalogue.model import Role
from scicatlive.clients.target import Account, Broker, Login, Target
from scicatlive.defaults import GLOBAL_GROUP
from scicatlive.errors import ConfigError
from scicatlive.stack.jobs_files import RABBITMQ_ADMIN
from scicatlive.stack.load import AccountCredentials, Credentials
from scicatlive.stack.resolve import ResolvedStack

# An OpenID Connect provider publishes its discovery document under its issuer.
DISCOVERY = "/.well-known/openid-configuration"
# OAI-PMH's route on both SciCat oai-provider-service and our oaipmh service.
OAI_ROUTE = "/scicat/oai"
# Backends on which a functional account may also log in through LDAP or OIDC. On upstream
# v5.2.1 an LDAP login whose username is a functional account's fails (500: that account has
# no user identity), so there only the directory's own people (`ldap_only`) are checked.
EXTERNAL_LOGINS_FOR_FUNCTIONAL_ACCOUNTS = frozenset({"scicat-lite"})


def target_of(stack: ResolvedStack, credentials: Credentials) -> Target:
    backend = role_url(stack, Role.BACKEND)
    if backend is None:
        raise ConfigError(str(stack.profile.source), f"stack {stack.name!r} publishes no SciCat backend URL")
    features = tuple(stack.profile.features)
    return Target(
        backend_url=backend,
        ispyb_url=role_url(stack, Role.ISPYB),
        frontend_url=role_url(stack, Role.FRONTEND),
        accounts={a.username: _account(stack, a, features) for a in credentials.accounts},
        stack=stack.name,
        services=tuple(stack.services),
        published_urls=probe_urls(stack),
        site=stack.settings.site,
        pid_prefix=stack.settings.pid_prefix,
        features=features,
        broker=_broker(stack, credentials),
        oidc_issuer=oidc_issuer(stack),
        searchapi_url=_url(stack, "searchapi"),
        oai_url=f"{url}{OAI_ROUTE}" if (url := _url(stack, "oaipmh")) else None,
        landing_url=_url(stack, "landingpage"),
    )


def _account(stack: ResolvedStack, account: AccountCredentials, features: tuple[str, ...]) -> Account:
    backends = {s.name for s in stack.by_role(Role.BACKEND)}
    external = account.ldap_only or bool(backends & EXTERNAL_LOGINS_FOR_FUNCTIONAL_ACCOUNTS)
    logins: list[Login] = [] if account.ldap_only else ["local"]
    logins += [login for login in ("ldap", "oidc") if login in features and external]
    groups = (*account.groups, GLOBAL_GROUP) if account.global_ else account.groups
    return Account(password=SecretStr(account.password), groups=groups, logins=tuple(logins))


def _broker(stack: ResolvedStack, credentials: Credentials) -> Broker | None:
    url = _url(stack, "rabbitmq")
    if url is None:
        return None
    password = credentials.secrets.get("rabbitmq_admin_password")
    return Broker(url=url, username=RABBITMQ_ADMIN, password=SecretStr(password) if password else None)


def _url(stack: ResolvedStack, service: str) -> str | None:
    return stack.public_url(service) if service in stack.services else None


def oidc_issuer(stack: ResolvedStack) -> str | None:
    """The issuer of the stack's OpenID Connect provider: where its discovery document is."""
    host = stack.public_host()
    for service in stack.services.values():
        for port in service.ports:
            if port.host is not None and port.protocol == "http" and port.path.endswith(DISCOVERY):
                return f"http://{host}:{port.host}{port.path.removesuffix(DISCOVERY)}"
    return None


def role_url(stack: ResolvedStack, role: Role) -> str | None:
    """The public URL of the stack's first service with ``role``."""
    services = stack.by_role(role)
    return stack.public_url(services[0].name) if services else None


def probe_urls(stack: ResolvedStack) -> dict[str, str]:
    """``service:port`` → the URL of each published HTTP port, with its probe path."""
    host = stack.public_host()
    return {
        f"{service.name}:{port.name}": f"http://{host}:{port.host}{port.path or '/'}"
        for service in stack.services.values()
        for port in service.ports
        if port.host is not None and port.protocol == "http"
    }
