"""The logbook service (SciChat) behind ``/logbooks``: off unless ``LOGBOOK_ENABLED=yes``.

Disabled, every list is empty and every logbook null, as upstream answers. Enabled, the
logbooks come from ``LOGBOOK_BASE_URL/Logbooks``; a missing or unreachable logbook is null.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)
HTTP_TIMEOUT = 5.0


def _last_timestamp(logbook: dict[str, Any]) -> Any:
    return logbook["messages"][-1].get("origin_server_ts", 0)


def _sort_messages(messages: list[dict[str, Any]], sort_field: str) -> list[dict[str, Any]]:
    column, _, direction = sort_field.partition(":")
    keys = {
        "timestamp": lambda m: m.get("origin_server_ts", 0),
        "sender": lambda m: str(m.get("sender", "")).replace("@", ""),
        "entry": lambda m: str((m.get("content") or {}).get("body", "")),
    }
    key = keys.get(column)
    ordered = sorted(messages, key=key) if key else list(messages)
    return list(reversed(ordered)) if direction == "desc" else ordered


class Logbooks:
    def __init__(self, enabled: bool, base_url: str) -> None:
        self.enabled = enabled
        self.base_url = base_url.rstrip("/")

    def find_all(self) -> list[dict[str, Any]]:
        """Non-empty logbooks newest message first, then the empty ones."""
        if not self.enabled:
            return []
        try:
            response = httpx.get(f"{self.base_url}/Logbooks", timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            logbooks = [book for book in response.json() if isinstance(book, dict)]
        except (httpx.HTTPError, ValueError) as error:
            raise LogbookUnavailable(f"Fetching Logbooks failed: {error}") from error
        filled = [book for book in logbooks if book.get("messages")]
        empty = [book for book in logbooks if not book.get("messages")]
        return sorted(filled, key=_last_timestamp, reverse=True) + empty

    def find_by_name(self, name: str, filters: str | None) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            response = httpx.get(
                f"{self.base_url}/Logbooks/{name}",
                params={"filter": filters} if filters is not None else None,
                timeout=HTTP_TIMEOUT,
            )
            logbook = response.json() if response.status_code == 200 else None
            options = json.loads(filters) if filters else None
        except (httpx.HTTPError, ValueError) as error:
            log.warning("logbook %s: %s", name, error)
            return None
        if not isinstance(logbook, dict) or not isinstance(options, dict):
            return None
        messages = list(logbook.get("messages") or [])
        sort_field = options.get("sortField")
        if isinstance(sort_field, str) and sort_field.find(":") > 0:
            messages = _sort_messages(messages, sort_field)
        skip, limit = options.get("skip"), options.get("limit")
        if isinstance(skip, int) and isinstance(limit, int) and skip >= 0 and limit >= 0:
            messages = messages[skip : skip + limit]
        return {**logbook, "messages": messages}


class LogbookUnavailable(Exception):
    """The logbook service did not answer the list request."""
