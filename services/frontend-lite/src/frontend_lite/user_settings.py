"""The datasets list as the user left it, kept in their backend settings, as upstream keeps it.

``GET /users/{id}/settings`` holds ``datasetCount`` (the page size, changed with ``PATCH
/users/{id}/settings``) and ``externalSettings``, which the upstream frontend fills with
``PATCH /users/{id}/settings/external``: ``fe_dataset_table_columns`` (``[{name, order,
enabled, type, …}]``) and ``fe_dataset_table_conditions`` (``[{condition, enabled}]``).
The sort, which upstream keeps only in its URL, is kept under ``fe_dataset_table_sort``
(``{column, direction}``, ``column`` a backend field). A compact copy lives in the session
(read at login, updated on every change), so a list page costs no extra backend call.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request

from .backend import BackendClient, BackendError, BackendUnreachable, segment
from .columns import ColumnSet
from .conditions import MAX_CONDITIONS, Condition, from_setting
from .search import DEFAULT_PER_PAGE, DEFAULT_SORT, PER_PAGE_CHOICES, SORTABLE
from .session import PREFS, Viewer

log = logging.getLogger(__name__)
COLUMNS_KEY = "fe_dataset_table_columns"
CONDITIONS_KEY = "fe_dataset_table_conditions"
SORT_KEY = "fe_dataset_table_sort"
SORT_BY_FIELD = {field: key for key, field in SORTABLE.items()}


class Prefs(BaseModel):
    """What the list needs from the settings: small enough for the session cookie."""

    model_config = ConfigDict(frozen=True)

    per_page: int = DEFAULT_PER_PAGE
    sort: str = DEFAULT_SORT
    direction: str = "desc"
    columns: tuple[str, ...] | None = None  # None: the configured defaults
    conditions: tuple[Condition, ...] = ()


def nearest_page_size(count: Any) -> int:
    if isinstance(count, bool) or not isinstance(count, (int, float)) or count <= 0:
        return DEFAULT_PER_PAGE
    return min(PER_PAGE_CHOICES, key=lambda choice: (abs(choice - count), choice))


def prefs_from_settings(settings: Any) -> Prefs:
    """The backend's settings document (or null) as :class:`Prefs`."""
    if not isinstance(settings, dict):
        return Prefs()
    external = settings.get("externalSettings")
    external = external if isinstance(external, dict) else {}
    sort = external.get(SORT_KEY)
    sort_key, direction = DEFAULT_SORT, "desc"
    if isinstance(sort, dict) and sort.get("column") in SORT_BY_FIELD:
        sort_key = SORT_BY_FIELD[sort["column"]]
        direction = "asc" if sort.get("direction") == "asc" else "desc"
    saved_columns = external.get(COLUMNS_KEY)
    columns = ColumnSet.enabled_names(saved_columns) if isinstance(saved_columns, list) else None
    conditions = [from_setting(entry) for entry in external.get(CONDITIONS_KEY) or []]
    return Prefs(
        per_page=nearest_page_size(settings.get("datasetCount")),
        sort=sort_key,
        direction=direction,
        columns=tuple(columns) if columns else None,
        conditions=tuple(c for c in conditions if c is not None)[:MAX_CONDITIONS],
    )


def session_prefs(request: Request) -> Prefs:
    raw = request.session.get(PREFS)
    try:
        return Prefs.model_validate(raw) if isinstance(raw, dict) else Prefs()
    except ValueError:
        return Prefs()


def keep_prefs(request: Request, prefs: Prefs) -> None:
    request.session[PREFS] = prefs.model_dump(mode="json", exclude_defaults=True)


async def read_settings(client: BackendClient, viewer: Viewer) -> Any:
    if not viewer.user_id:
        return None
    return await client.get(
        f"/users/{segment(viewer.user_id)}/settings", token=viewer.token, what="your settings"
    )


async def load_prefs(client: BackendClient, viewer: Viewer) -> Prefs:
    """At login: the saved list settings (defaults when the backend has none or fails)."""
    try:
        return prefs_from_settings(await read_settings(client, viewer))
    except (BackendError, BackendUnreachable) as error:
        log.info("no settings for %s: %s", viewer.username, error)
        return Prefs()


async def save_page_size(client: BackendClient, viewer: Viewer, per_page: int) -> None:
    await client.write(
        "PATCH",
        f"/users/{segment(viewer.user_id or '')}/settings",
        {"datasetCount": per_page},
        token=viewer.token,
        what="save your page size",
    )


async def save_external(client: BackendClient, viewer: Viewer, values: dict[str, Any]) -> None:
    await client.write(
        "PATCH",
        f"/users/{segment(viewer.user_id or '')}/settings/external",
        values,
        token=viewer.token,
        what="save your list settings",
    )


async def remember_list_state(
    client: BackendClient, viewer: Viewer, saved: Prefs, wanted: Prefs
) -> Prefs:
    """Save what changed (page size, sort, conditions); the prefs as they now stand.

    A failed save is logged, not shown: the list itself is what the user asked for.
    """
    if not viewer.user_id or wanted == saved:
        return saved
    try:
        if wanted.per_page != saved.per_page:
            await save_page_size(client, viewer, wanted.per_page)
        external: dict[str, Any] = {}
        if (wanted.sort, wanted.direction) != (saved.sort, saved.direction):
            external[SORT_KEY] = {"column": SORTABLE[wanted.sort], "direction": wanted.direction}
        if wanted.conditions != saved.conditions:
            external[CONDITIONS_KEY] = [c.setting() for c in wanted.conditions]
        if external:
            await save_external(client, viewer, external)
    except (BackendError, BackendUnreachable) as error:
        log.warning("could not save the list settings of %s: %s", viewer.username, error)
        return saved
    return wanted.model_copy(update={"columns": saved.columns})
