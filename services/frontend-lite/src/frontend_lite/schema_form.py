"""The published-data metadata form, drawn from the backend's ``metadataSchema``.

``GET /api/v4/publisheddata/config`` gives the JSON Schema the backend validates the
metadata with (the upstream frontend renders it with JSON Forms). Here the schema's
objects, arrays, enums, strings, numbers and booleans become plain HTML fields named by
their JSON path (``metadata/creators/0/name``, as the backend's error paths name them);
an array shows its items and one empty item more ("Add another" adds rows without
JavaScript). Posted fields are turned back into the metadata object, empty ones left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .forms import FieldErrors, Posted

ROOT = "metadata"
MAX_DEPTH = 6
MAX_ITEMS = 50


@dataclass
class Node:
    """A field (``kind`` text/textarea/integer/number/enum/boolean) or a group (object/array)."""

    name: str
    label: str
    kind: str
    required: bool = False
    value: str = ""
    options: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    description: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind in ("object", "array")

    @property
    def filled(self) -> bool:
        """Whether anything below holds a value (closed ``<details>`` for optional, empty parts)."""
        return bool(self.value) if not self.is_group else any(c.filled for c in self.children)


def merged(schema: Any) -> dict[str, Any]:
    """The schema with its ``allOf`` parts merged (properties, required, defaults)."""
    if not isinstance(schema, Mapping):
        return {}
    result: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf") or []:
        part = merged(part)
        result.setdefault("properties", {}).update(part.get("properties") or {})
        result["required"] = list(result.get("required") or []) + list(part.get("required") or [])
        for key, value in part.items():
            if key not in ("properties", "required"):
                result.setdefault(key, value)
    return result


def kind_of(schema: Mapping[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), None)
    if "enum" in schema:
        return "enum"
    if declared == "object" or (declared is None and "properties" in schema):
        return "object"
    if declared == "array" or (declared is None and "items" in schema):
        return "array"
    if declared in ("integer", "number", "boolean"):
        return str(declared)
    return "text"


def _label(key: str, schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    if isinstance(title, str) and title:
        return title
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in key).strip()
    return spaced[:1].upper() + spaced[1:]


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return str(value)


def build(
    schema: Any,
    data: Any,
    *,
    extra: Mapping[str, int] | None = None,
    name: str = ROOT,
    label: str = "Metadata",
    required: bool = False,
    depth: int = 0,
) -> Node:
    """The form for ``data`` (as stored or as posted); ``extra`` adds empty array items."""
    schema = merged(schema)
    kind = kind_of(schema)
    node = Node(name, label, kind, required, description=str(schema.get("description") or ""))
    if depth > MAX_DEPTH:
        node.kind = "text"
        return node
    if kind == "object":
        wanted = set(schema.get("required") or [])
        values = data if isinstance(data, Mapping) else {}
        for key, sub in (schema.get("properties") or {}).items():
            sub = merged(sub)
            node.children.append(
                build(
                    sub,
                    values.get(key),
                    extra=extra,
                    name=f"{name}/{key}",
                    label=_label(key, sub),
                    required=key in wanted,
                    depth=depth + 1,
                )
            )
    elif kind == "array":
        items = list(data) if isinstance(data, list) else []
        minimum = int(schema.get("minItems") or 0)
        count = max(len(items), minimum) + 1 + (extra or {}).get(name, 0)
        for index in range(min(count, MAX_ITEMS)):
            item = items[index] if index < len(items) else None
            node.children.append(
                build(
                    schema.get("items") or {},
                    item,
                    extra=extra,
                    name=f"{name}/{index}",
                    label=f"{label} {index + 1}",
                    depth=depth + 1,
                )
            )
    else:
        if kind == "enum":
            node.options = [str(o) for o in schema.get("enum") or []]
        node.value = _text(data)
        if kind == "text" and len(node.value) > 80:
            node.kind = "textarea"
    return node


def posted_tree(form: Posted, prefix: str = ROOT) -> Any:
    """The posted ``metadata/…`` fields as nested dicts (array items keyed by index)."""
    tree: dict[str, Any] = {}
    for key, value in form.pairs:
        if not key.startswith(prefix + "/"):
            continue
        parts = key[len(prefix) + 1 :].split("/")
        if len(parts) > MAX_DEPTH + 2:
            continue
        here = tree
        for part in parts[:-1]:
            here = here.setdefault(part, {})
            if not isinstance(here, dict):
                break
        else:
            here[parts[-1]] = value
    return tree


def collect(schema: Any, posted: Any, errors: FieldErrors, name: str = ROOT) -> Any:
    """The value ``posted`` describes under ``schema``; None when left empty."""
    schema = merged(schema)
    kind = kind_of(schema)
    if kind == "object":
        values = posted if isinstance(posted, Mapping) else {}
        result = {}
        for key, sub in (schema.get("properties") or {}).items():
            found = collect(sub, values.get(key), errors, f"{name}/{key}")
            if found is not None:
                result[key] = found
        # An optional part left empty is simply absent; one begun must be complete.
        if name == ROOT or result:
            for key in schema.get("required") or []:
                if key not in result:
                    errors.add(f"{name}/{key}", "Required")
        return result or None
    if kind == "array":
        values = posted if isinstance(posted, Mapping) else {}
        indexes = sorted(int(k) for k in values if str(k).isdigit())
        items = [
            collect(schema.get("items") or {}, values[str(i)], errors, f"{name}/{i}")
            for i in indexes
        ]
        kept = [i for i in items if i is not None]
        minimum = int(schema.get("minItems") or 0)
        if kept and len(kept) < minimum:
            errors.add(name, f"At least {minimum}")
        return kept or None
    text = posted.strip() if isinstance(posted, str) else ""
    if not text:
        return None
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            errors.add(name, "Must be a whole number")
            return None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            errors.add(name, "Must be a number")
            return None
    if kind == "boolean":
        return text == "true"
    if kind == "enum" and text not in [str(o) for o in schema.get("enum") or []]:
        errors.add(name, f"Must be one of {', '.join(map(str, schema.get('enum') or []))}")
        return None
    return text


def metadata_from_form(schema: Any, form: Posted) -> tuple[dict[str, Any], FieldErrors]:
    errors = FieldErrors()
    found = collect(schema, posted_tree(form), errors) if schema else None
    return (found if isinstance(found, dict) else {}), errors


def added_rows(form: Posted) -> dict[str, int]:
    """The "Add another" button pressed: ``{array name: 1}``."""
    action = form.get("action")
    return {action[4:]: 1} if action.startswith("add:") else {}
