"""The filters panel's "add condition", in steps that work without JavaScript.

1. ``c_open=1``: a list of the metadata keys of the current result set (v3
   ``/datasets/metadataKeys`` with the list's own ``fields``);
2. ``c_key=<key>``: the relation, the value (a minimum and a maximum for a range) and,
   when the key's values carry units, a unit (the stored one first, then the others of
   its kind), read from up to 20 datasets of the result set that hold the key;
3. ``c_add=1``: the condition is checked and added to the list's URL (a 303 to it).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from .backend import BackendClient, BackendError, BackendUnreachable
from .conditions import CHOICES, LABELS
from .units import same_kind

log = logging.getLogger(__name__)
SAMPLED = 20
MAX_KEYS = 1000


@dataclass
class KeyInfo:
    """What the result set's values of one key look like."""

    units: list[str] = field(default_factory=list)  # offered units, the stored one first
    numeric: bool = True
    examples: list[str] = field(default_factory=list)

    @property
    def relations(self) -> list[tuple[str, str]]:
        chosen = list(CHOICES) if self.numeric else ["=", "contains"]
        return [(c, LABELS[c]) for c in chosen]

    @property
    def default_relation(self) -> str:
        return ">" if self.numeric else "="


@dataclass
class Editor:
    """The editor's state, from the list's query string."""

    open: bool = False
    key: str = ""
    relation: str = ""
    value: str = ""
    maximum: str = ""
    unit: str = ""
    submitted: bool = False
    error: str = ""
    keys: list[str] = field(default_factory=list)
    info: KeyInfo | None = None

    @classmethod
    def from_params(cls, params: QueryParams) -> Editor:
        key = params.get("c_key", "").strip()[:200]
        return cls(
            open=params.get("c_open") == "1" or bool(key),
            key=key,
            relation=params.get("c_rel", ""),
            value=params.get("c_value", "")[:200],
            maximum=params.get("c_max", "")[:200],
            unit=params.get("c_unit", "").strip()[:50],
            submitted=params.get("c_add") == "1",
        )


async def metadata_keys(
    client: BackendClient, token: str | None, fields: dict[str, Any]
) -> list[str]:
    reply = await client.get(
        "/datasets/metadataKeys", token=token, what="metadata keys", fields=fields
    )
    if not isinstance(reply, list):
        return []
    return sorted({k for k in reply if isinstance(k, str)}, key=str.lower)[:MAX_KEYS]


def _entry_parts(entry: Any) -> tuple[Any, str]:
    if isinstance(entry, dict) and "value" in entry:
        return entry.get("value"), str(entry.get("unit") or "")
    return entry, ""


async def key_info(
    client: BackendClient, token: str | None, fields: dict[str, Any], key: str
) -> KeyInfo:
    """Units and kind of ``key``'s values among the result set's datasets that hold it."""
    mode = dict(fields.get("mode") or {})
    mode[f"scientificMetadata.{key}"] = {"$exists": True}
    reply = await client.get(
        "/datasets/fullquery",
        token=token,
        what=f"values of {key}",
        fields={**fields, "mode": mode},
        limits={"skip": 0, "limit": SAMPLED, "order": "creationTime:desc"},
    )
    units: Counter[str] = Counter()
    numeric, examples = True, list[str]()
    for dataset in reply if isinstance(reply, list) else []:
        metadata = dataset.get("scientificMetadata") if isinstance(dataset, dict) else None
        if not isinstance(metadata, dict) or key not in metadata:
            continue
        value, unit = _entry_parts(metadata[key])
        if unit:
            units[unit] += 1
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            numeric = False
        if len(examples) < 3 and value is not None and not isinstance(value, (dict, list)):
            examples.append(str(value))
    stored = units.most_common(1)[0][0] if units else ""
    offered = same_kind(stored) if stored else []
    offered += [u for u in units if u not in offered]
    return KeyInfo(units=offered, numeric=numeric, examples=examples)


async def fill(
    editor: Editor, client: BackendClient, token: str | None, fields: dict[str, Any]
) -> Editor:
    """The keys (step 1) or the key's units (step 2); a backend failure is said in the panel."""
    if not editor.open:
        return editor
    try:
        if editor.key:
            editor.info = await key_info(client, token, fields, editor.key)
            if not editor.relation:
                editor.relation = editor.info.default_relation
            if not editor.unit and editor.info.units:
                editor.unit = editor.info.units[0]
        else:
            editor.keys = await metadata_keys(client, token, fields)
    except (BackendError, BackendUnreachable) as error:
        log.warning("condition editor: %s", error)
        editor.error = f"The metadata keys could not be read: {error}"
    return editor
