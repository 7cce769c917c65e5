"""What every route needs: the backend client, the renderer and the visitor."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from ..backend import BackendClient, BackendError
from ..pages import Pages
from ..session import Viewer, current_viewer

M = TypeVar("M", bound=BaseModel)


def backend(request: Request) -> BackendClient:
    client: BackendClient = request.app.state.backend
    return client


def pages(request: Request) -> Pages:
    renderer: Pages = request.app.state.pages
    return renderer


def viewer(request: Request) -> Viewer:
    return current_viewer(request)


def parse(model: type[M], data: Any, what: str) -> M:
    """A backend reply as ``model``; a reply of the wrong shape is a backend error."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise BackendError(502, f"unexpected reply: {where}: {first['msg']}", what) from error


def parse_list(model: type[M], data: Any, what: str) -> list[M]:
    if not isinstance(data, list):
        raise BackendError(502, "unexpected reply: expected a list", what)
    return [parse(model, item, what) for item in data]
