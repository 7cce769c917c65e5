"""Rendering: one Jinja2 environment (autoescaped), the templates and the static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from .settings import PageConfig

HERE = Path(__file__).parent
STATIC = HERE / "static"


class Pages:
    def __init__(self, config: PageConfig) -> None:
        self.config = config
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(["html"]))
        self.env.filters["urlpath"] = lambda value: quote(str(value), safe="/")

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        html = self.env.get_template(template).render(config=self.config, **context)
        return HTMLResponse(html, status_code=status)
