"""The target of a stack started here: its public URLs and its generated accounts."""

from __future__ import annotations

from pydantic import SecretStr

from scicatlive.catalogue.model import Role
from scicatlive.clients.target import Account, Target
from scicatlive.defaults import GLOBAL_GROUP
from scicatlive.errors import ConfigError
from scicatlive.stack.load import Credentials
from scicatlive.stack.resolve import ResolvedStack


def target_of(stack: ResolvedStack, credentials: Credentials) -> Target:
    accounts = {
        a.username: Account(
            password=SecretStr(a.password), groups=(*a.groups, GLOBAL_GROUP) if a.global_ else a.groups
        )
        for a in credentials.accounts
    }
    backend = role_url(stack, Role.BACKEND)
    if backend is None:
        raise ConfigError(str(stack.profile.source), f"stack {stack.name!r} publishes no SciCat backend URL")
    return Target(
        backend_url=backend,
        ispyb_url=role_url(stack, Role.ISPYB),
        frontend_url=role_url(stack, Role.FRONTEND),
        accounts=accounts,
        stack=stack.name,
        services=tuple(stack.services),
        published_urls=probe_urls(stack),
        site=stack.settings.site,
        pid_prefix=stack.settings.pid_prefix,
    )


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
