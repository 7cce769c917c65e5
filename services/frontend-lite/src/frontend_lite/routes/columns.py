"""The column chooser of the datasets list: show, hide and order columns, add metadata ones.

Every change is saved at once in the user's settings (``fe_dataset_table_columns``, the
upstream frontend's key and format) and in the session, and the chooser is shown again;
"Done" goes back to the list. Columns follow the user across logins and frontends.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .. import columns as cols
from ..backend import BackendError, BackendUnreachable
from ..condition_editor import metadata_keys
from ..deps import Backend, Renderer, Visitor
from ..errors import PageError
from ..forms import EXPIRED_FORM, FormRejected, read_edit_form
from ..session import Viewer, flash, safe_next
from ..user_settings import COLUMNS_KEY, keep_prefs, read_settings, save_external, session_prefs

router = APIRouter()


def _signed_in(visitor: Viewer) -> None:
    if not visitor.signed_in or not visitor.user_id:
        raise PageError(401, "Not logged in", "Log in to choose the columns of your list.")


def _current(settings: Any, defaults: tuple[str, ...]) -> tuple[list[tuple[str, bool]], list[Any]]:
    """(the chooser's order with each column's state, the saved entries as they are)."""
    external = settings.get("externalSettings") if isinstance(settings, dict) else None
    saved = external.get(COLUMNS_KEY) if isinstance(external, dict) else None
    if isinstance(saved, list) and cols.ColumnSet.all_names(saved):
        return cols.ColumnSet.all_names(saved), saved
    return [(name, True) for name in defaults], []


@router.get("/datasets/columns")
async def column_chooser(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    _signed_in(visitor)
    defaults = cols.default_names(render.config.default_columns)
    current, _ = _current(await read_settings(client, visitor), defaults)
    try:
        keys = await metadata_keys(client, visitor.token, {})
    except (BackendError, BackendUnreachable):
        keys = []
    shown = {name for name, _ in current}
    return render.render(
        request,
        "columns.html",
        {
            "rows": cols.choices(current),
            "keys": [k for k in keys if cols.metadata_column(k).name not in shown],
            "back": safe_next(request.query_params.get("back"), "/datasets"),
        },
        section="datasets",
    )


@router.post("/datasets/columns")
async def change_columns(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    _signed_in(visitor)
    try:
        form = await read_edit_form(request)
    except FormRejected as error:
        raise PageError(400, "Form rejected", str(error)) from error
    back = safe_next(form.get("back"), "/datasets")
    here = "/datasets/columns?" + urlencode({"back": back})
    if not form.csrf_ok:
        flash(request, EXPIRED_FORM)
        return RedirectResponse(here, status_code=303)
    defaults = cols.default_names(render.config.default_columns)
    current, saved = _current(await read_settings(client, visitor), defaults)
    chosen = _apply(cols.choices(current), form)
    if form.get("action") == "reset":
        chosen = [(name, True) for name in defaults]
    if not any(enabled for _, enabled in chosen):
        flash(request, "Keep at least one column.")
        return RedirectResponse(here, status_code=303)
    entries = cols.ColumnSet.to_settings(chosen[: cols.MAX_COLUMNS], saved)
    await save_external(client, visitor, {COLUMNS_KEY: entries})
    names = tuple(cols.ColumnSet.enabled_names(entries))
    keep_prefs(request, session_prefs(request).model_copy(update={"columns": names}))
    flash(request, "Saved your columns.")
    target = back if form.get("action") == "done" else here
    return RedirectResponse(target, status_code=303)


def _apply(rows: list[tuple[cols.Column, bool]], form: Any) -> list[tuple[str, bool]]:
    """The chooser's rows after the posted change (show/hide, move, add, remove)."""
    shown = set(form.getlist("show"))
    order = [c.name for c, _ in rows]
    if form.get("action") in ("save", "done") or form.getlist("show"):
        state = {c.name: c.name in shown for c, _ in rows}
    else:
        state = {c.name: enabled for c, enabled in rows}
    action = form.get("action")
    verb, _, name = action.partition(":")
    if verb in ("up", "down") and name in order:
        at = order.index(name)
        to = at - 1 if verb == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
    elif verb == "remove" and name in order and cols.column(name) not in cols.STANDARD:
        order.remove(name)
    elif action == "add_metadata":
        key = form.get("metadata_key").strip()
        if key:
            column = cols.metadata_column(key)
            if column.name not in order:
                # After the last column shown: where a new column is expected.
                shown_at = [i for i, name in enumerate(order) if state.get(name)]
                order.insert(shown_at[-1] + 1 if shown_at else len(order), column.name)
            state[column.name] = True
    return [(name, state.get(name, False)) for name in order]
