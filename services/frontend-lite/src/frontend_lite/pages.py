"""Rendering: the Jinja2 environment, the template filters and the page context."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from . import formatting, ispyb_keys
from .config import FrontendConfig
from .session import csrf_token, current_viewer

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"

NAV = (
    ("datasets", "/datasets", "Datasets"),
    ("proposals", "/proposals", "Proposals"),
    ("samples", "/samples", "Samples"),
)


BREAK_AFTER = re.compile(r"([/_.-])")


def breakable(value: str | None) -> Markup:
    """Long paths and pids may wrap after ``/ - _ .`` instead of in the middle of a word."""
    return Markup(BREAK_AFTER.sub(r"\1<wbr>", str(escape(value or ""))))


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        size=formatting.human_size,
        when=formatting.show_time,
        when_short=formatting.show_time_short,
        path_tail=formatting.path_tail,
        pid_tail=formatting.pid_tail,
        link_id=formatting.link_id,
        breakable=breakable,
    )
    env.globals.update(sample_kind=ispyb_keys.sample_kind, metadata_rows=formatting.metadata_rows)
    return env


def page_url_maker(request: Request) -> Any:
    """``page_url(page=n)``: this page's URL with another page number."""

    def page_url(page: int) -> str:
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        if page != 1:
            pairs.append(("page", str(page)))
        return request.url.path + (f"?{urlencode(pairs)}" if pairs else "")

    return page_url


class Pages:
    """Renders a template with what every page needs (visitor, site title, navigation)."""

    def __init__(self, config: FrontendConfig) -> None:
        self.config = config
        self.env = make_environment()

    def text(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        section: str = "",
    ) -> str:
        """The template rendered with everything a page needs (a page, or a piece of one)."""
        viewer = current_viewer(request)
        page = {
            "request": request,
            "viewer": viewer,
            "csrf": csrf_token(request),
            "site_title": self.config.siteTitle,
            "backend_url": self.config.lbBaseURL,
            "nav": NAV,
            "page_url": page_url_maker(request),
            "section": section,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **(context or {}),
        }
        return self.env.get_template(template).render(page)

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        section: str = "",
    ) -> HTMLResponse:
        html = self.text(request, template, context, section=section)
        return HTMLResponse(html, status_code=status_code)
