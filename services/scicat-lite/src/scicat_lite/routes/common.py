"""Query-parameter helpers shared by the route modules."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..errors import bad_request
from ..filters import FilterError, parse_json


def filter_param(request: Request, name: str = "filter") -> Any:
    """The JSON ``filter`` from the query string or (v3 datasets) a ``filter`` header."""
    query = request.query_params.get(name)
    header = request.headers.get(name) if name == "filter" else None
    if query is not None and header is not None:
        raise bad_request(
            "Filter must be provided either in the query string or in a header, not both"
        )
    try:
        return parse_json(query if query is not None else header, name)
    except FilterError as error:
        raise bad_request(str(error)) from error


def json_param(request: Request, name: str) -> Any:
    try:
        return parse_json(request.query_params.get(name), name)
    except FilterError as error:
        raise bad_request(str(error)) from error
