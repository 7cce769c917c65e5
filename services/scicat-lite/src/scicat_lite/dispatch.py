"""Routing by a dictionary look-up instead of trying every route's pattern in turn.

:class:`~scicat_lite.middleware.PathMiddleware` already finds, for each request path, the
route template it spells (``scope["scicat.template"]``). :class:`TemplateDispatch`, the
first route of the app, looks up the route registered for that template and the request's
method and hands the request to it; everything else (no template, a method the template
does not serve, a route an earlier one could shadow) falls through to FastAPI's ordinary
routing, which then answers exactly as without this route.

A route is dispatched directly only when no route before it in routing order could match
any of its paths with one of its methods, so the route chosen is always the one ordinary
routing would choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

TEMPLATE_KEY = "scicat.template"
_TARGET_KEY = "scicat.target"


@dataclass(frozen=True)
class _Target:
    """One routable thing: its path template, methods (empty: any), matcher and app."""

    template: str | None  # None: cannot be analysed, may match anything
    methods: frozenset[str]
    route: BaseRoute
    matcher: Any = None
    app: ASGIApp | None = None


def _segments(template: str) -> list[str] | None:
    return None if ":" in template else template.split("/")


def _overlap(first: str | None, second: str | None) -> bool:
    """Whether some path could match both templates (conservatively: True when unsure)."""
    if first is None or second is None:
        return True
    a, b = _segments(first), _segments(second)
    if a is None or b is None:
        return True
    if len(a) != len(b):
        return False
    return all(
        x.startswith("{") or y.startswith("{") or x.lower() == y.lower()
        for x, y in zip(a, b, strict=True)
    )


def _more_specific(first: str | None, second: str | None) -> bool:
    """Whether ``first`` has ``second``'s literal segments and more: on a path both match,
    ``first`` matches more literal segments, so the path never spells ``second``."""
    a = _segments(first) if first else None
    b = _segments(second) if second else None
    if a is None or b is None or len(a) != len(b):
        return False
    extra = False
    for x, y in zip(a, b, strict=True):
        if y.startswith("{"):
            extra = extra or not x.startswith("{")
        elif x.startswith("{") or x.lower() != y.lower():
            return False
    return extra


def _share_method(first: frozenset[str], second: frozenset[str]) -> bool:
    return not first or not second or bool(first & second)


def _targets(routes: Iterable[BaseRoute]) -> Iterator[_Target]:
    """The app's routes in routing order, included routers opened up."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # an included router (FastAPI >= 0.16x)
            for context in contexts():
                original = context.original_route
                if isinstance(original, APIRoute):
                    yield _Target(
                        context.path_format,
                        frozenset(context.methods or ()),
                        original,
                        context.matches,
                        context.app,
                    )
                else:
                    yield _Target(None, frozenset(), original)
        elif isinstance(route, APIRoute):
            yield _Target(
                route.path_format,
                frozenset(route.methods or ()),
                route,
                route.matches,
                route.handle,
            )
        else:
            template = getattr(route, "path_format", None)
            methods = getattr(route, "methods", None)
            yield _Target(template, frozenset(methods or ()), route)


def dispatch_table(
    routes: Iterable[BaseRoute], templates: Iterable[str]
) -> dict[tuple[str, str], _Target]:
    """(method, template) → the route ordinary routing would pick for every such path.

    ``templates`` are those :class:`~scicat_lite.middleware.PathMiddleware` chooses from: a
    path never spells a template when one of these with more literal segments matches it,
    so such an earlier route cannot shadow the template's route.
    """
    known = set(templates)
    table: dict[tuple[str, str], _Target] = {}
    earlier: list[_Target] = []
    for target in _targets(routes):
        shadowed = any(
            _overlap(before.template, target.template)
            and _share_method(before.methods, target.methods)
            and not (before.template in known and _more_specific(before.template, target.template))
            for before in earlier
        )
        earlier.append(target)
        if shadowed or target.app is None or target.template is None or not target.methods:
            continue
        for method in target.methods:
            table.setdefault((method, target.template), target)
    return table


class TemplateDispatch(BaseRoute):
    """The app's first route: a dictionary look-up on (method, template)."""

    def __init__(self, table: dict[tuple[str, str], _Target]) -> None:
        self._table = table

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        target = self._table.get((scope["method"], scope.get(TEMPLATE_KEY)))
        if target is None:
            return Match.NONE, {}
        match, child = target.matcher(scope)
        if match is not Match.FULL:
            return Match.NONE, {}
        child["route"] = target.route
        child[_TARGET_KEY] = target
        return Match.FULL, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        target: _Target = scope[_TARGET_KEY]
        assert target.app is not None
        await target.app(scope, receive, send)


def install_dispatch(app: FastAPI, templates: Iterable[str]) -> None:
    """Put :class:`TemplateDispatch` in front of the app's routes (after they are all added);
    ``templates`` as given to :class:`~scicat_lite.middleware.PathMiddleware`."""
    table = dispatch_table(app.router.routes, templates)
    app.router.routes.insert(0, TemplateDispatch(table))
