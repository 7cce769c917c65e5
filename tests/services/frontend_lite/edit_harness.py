"""Steps the editing, publishing and list-settings browser tests share."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
from edit_stack import EditStack
from frontend_harness import login


def enc(value: str) -> str:
    return quote(value, safe="")


def api(stack: EditStack, username: str | None = "admin") -> httpx.Client:
    """The backend itself, as ``username`` (anonymous with None)."""
    return stack.backend.client(username)


def find_datasets(stack: EditStack, where: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]:
    """Datasets read as an admin, oldest first (a stable order for picking one)."""
    query = {"where": where, "limits": {"limit": limit, "order": "creationTime:asc"}}
    with api(stack) as client:
        reply = client.get("/api/v3/datasets", params={"filter": json.dumps(query)})
        reply.raise_for_status()
        found: list[dict[str, Any]] = reply.json()
    return found


def read_dataset(stack: EditStack, pid: str, username: str = "admin") -> dict[str, Any]:
    with api(stack, username) as client:
        reply = client.get(f"/api/v3/datasets/{enc(pid)}")
        reply.raise_for_status()
        found: dict[str, Any] = reply.json()
    return found


def facet_total(stack: EditStack, username: str | None, fields: dict[str, Any]) -> int:
    with api(stack, username) as client:
        reply = client.get(
            "/api/v3/datasets/fullfacet", params={"fields": json.dumps(fields), "facets": "[]"}
        ).json()
    return int(reply[0]["all"][0]["totalSets"]) if reply and reply[0]["all"] else 0


def signed_in(context: Any, stack: EditStack, username: str, path: str = "/datasets") -> Any:
    """A page of ``context``, signed in through the login form, at ``path``."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, stack.backend, username, path)
    return page


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector("text=Public view")


def shown_total(page: Any) -> int:
    return int(page.get_attribute("[data-testid=dataset-count]", "data-total"))


def shown_pids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=datasets-table] tbody tr", "rows => rows.map(r => r.dataset.pid)"
    )


def field_errors(page: Any) -> dict[str, str]:
    return {
        e["field"]: e["text"]
        for e in page.eval_on_selector_all(
            "[data-testid=field-error]",
            "nodes => nodes.map(n => ({field: n.dataset.field, text: n.innerText.trim()}))",
        )
    }


def editor_row(page: Any, name: str) -> Any:
    """The metadata editor's row of the key ``name``."""
    return page.locator(f"[data-testid=metadata-editor] tr[data-name='{name}']")


def header_columns(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=datasets-table] thead th[data-column]",
        "cells => cells.map(c => c.dataset.column)",
    )
