"""Links a person follows into a stack: each service's address, JupyterLab's with its token."""

from __future__ import annotations

from dataclasses import dataclass

from scicatlive.catalogue.model import Role
from scicatlive.stack.resolve import ResolvedStack

JUPYTER_TOKEN_SECRET = "jupyter_token"
JUPYTER_SERVICE = "jupyter"

_LABELS = {
    Role.FRONTEND: "catalogue (web)",
    Role.BACKEND: "SciCat API",
    Role.ISPYB: "ISPyB API",
}
# The path a person opens, per role: the API roots rather than the health endpoints.
_PATHS = {Role.BACKEND: "/api/v3", Role.ISPYB: "/ispyb/api/v1"}


@dataclass(frozen=True)
class Link:
    service: str
    label: str
    url: str


def jupyter_link(stack: ResolvedStack, secrets: dict[str, str]) -> str | None:
    """JupyterLab's address with the stack's token, or None when the stack has no Jupyter."""
    if JUPYTER_SERVICE not in stack.services:
        return None
    url = stack.public_url(JUPYTER_SERVICE)
    token = secrets.get(JUPYTER_TOKEN_SECRET)
    if url is None or token is None:
        return None
    return f"{url}/lab?token={token}"


def stack_links(stack: ResolvedStack, secrets: dict[str, str]) -> list[Link]:
    """What a trainee opens: the web catalogue first, then the APIs, then JupyterLab."""
    links: list[Link] = []
    for role in (Role.FRONTEND, Role.BACKEND, Role.ISPYB):
        for service in stack.by_role(role):
            url = stack.public_url(service.name)
            if url is not None:
                links.append(Link(service.name, _LABELS[role], url + _PATHS.get(role, "")))
    jupyter = jupyter_link(stack, secrets)
    if jupyter is not None:
        links.append(Link(JUPYTER_SERVICE, "JupyterLab", jupyter))
    return links
