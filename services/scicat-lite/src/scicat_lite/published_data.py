"""Published data: documents, their status workflow and the v3 ↔ v4 mapping
(``src/published-data/*`` at v5.2.1).

A record starts ``private``; ``publish`` makes it ``public`` (its datasets become
published); ``register`` makes it ``registered`` (datasets published, ``publishedOn``
set); an admin's ``amend`` makes a registered record ``amended``. The DOI is minted at
creation from ``DOI_PREFIX`` (``<prefix>/<uuid>``, or 10 hex characters with
``DOI_SHORT_SUFFIX=true``) and is never sent to DataCite by this emulator.
"""

from __future__ import annotations

import datetime
import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import jsonschema

from .checks import field
from .settings import Settings
from .store import Collection, Doc
from .timeutil import now_iso

PUBLISHED_DATA = Collection("published_data")
STATUSES = ("private", "public", "registered", "amended")

V4_FIELDS = (
    field("title", "string"),
    field("abstract", "string"),
    field("datasetPids", "array", each="string"),
    field("registeredTime", "date", required=False),
    field("status", required=False, choices=STATUSES),
    field("metadata", "object", required=False),
)
V3_FIELDS = (
    field("doi", "string", required=False),
    field("affiliation", "string", required=False),
    field("creator", each="string"),
    field("publisher", "string"),
    field("publicationYear", "number"),
    field("title", "string"),
    field("url", "string", required=False),
    field("abstract", "string"),
    field("dataDescription", "string"),
    field("resourceType", "string"),
    field("numberOfFiles", "number", required=False),
    field("sizeOfArchive", "number", required=False),
    field("pidArray", each="string"),
    field("authors", required=False, each="string"),
    field("registeredTime", "date", required=False),
    field("status", "string", required=False),
    field("scicatUser", "string", required=False),
    field("thumbnail", "string", required=False),
    field("relatedPublications", required=False, each="string"),
    field("downloadLink", "string", required=False),
)

# v3 field → v4 path; "[]" marks a list of objects holding the value at the rest of the path.
V3_TO_V4 = {
    "pidArray": "datasetPids",
    "creator": "metadata.creators.[].name",
    "authors": "metadata.contributors.[].name",
    "publisher": "metadata.publisher.name",
    "relatedPublications": "metadata.relatedIdentifiers.[].relatedIdentifier",
    "affiliation": "metadata.affiliation",
    "publicationYear": "metadata.publicationYear",
    "url": "metadata.url",
    "dataDescription": "metadata.dataDescription",
    "resourceType": "metadata.resourceType",
    "numberOfFiles": "metadata.numberOfFiles",
    "sizeOfArchive": "metadata.sizeOfArchive",
    "scicatUser": "metadata.scicatUser",
    "thumbnail": "metadata.thumbnail",
    "downloadLink": "metadata.downloadLink",
}
V3_FILTER_NAMES = {k: v.replace(".[]", "") for k, v in V3_TO_V4.items()}
V3_OUTPUT = (
    "_id",
    "doi",
    "affiliation",
    "creator",
    "publisher",
    "publicationYear",
    "title",
    "url",
    "abstract",
    "dataDescription",
    "resourceType",
    "numberOfFiles",
    "sizeOfArchive",
    "pidArray",
    "authors",
    "registeredTime",
    "status",
    "scicatUser",
    "thumbnail",
    "relatedPublications",
    "downloadLink",
    "createdAt",
    "updatedAt",
)


def mint_doi(settings: Settings) -> str:
    options = settings.features
    suffix = secrets.token_hex(5) if options.doi_short_suffix else str(uuid.uuid4())
    return f"{options.doi_prefix}/{suffix}"


def new_record(settings: Settings, fields: dict[str, Any], username: str) -> Doc:
    doi = mint_doi(settings)
    now = now_iso()
    doc: Doc = {
        "_id": doi,
        "doi": doi,
        "pid": f"{settings.pid_prefix}/{uuid.uuid4()}",
        "status": "private",
        "metadata": {},
        **fields,
        "createdBy": username,
        "updatedBy": username,
        "createdAt": now,
        "updatedAt": now,
        "__v": 0,
    }
    return doc


# -- v3 -------------------------------------------------------------------------------


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def v3_to_v4(body: dict[str, Any]) -> dict[str, Any]:
    """``V3_TO_V4_DTO_BODY_PIPE``: each sent v3 field lands on its v4 path."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key == "status":
            out["status"] = "registered" if value == "registered" else "private"
            continue
        path = V3_TO_V4.get(key, key)
        if ".[]." in path:
            root, leaf = path.split(".[].")
            items = value if isinstance(value, list) else [value]
            _set(out, root, [{leaf: item} for item in items])
        else:
            _set(out, path, value)
    return out


def _get(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def to_v3(doc: Doc) -> Doc:
    """``PublishedDataObsoleteDto``: v3 names read back from the v4 record."""
    out: dict[str, Any] = {}
    for name in V3_OUTPUT:
        value = doc.get(name)
        path = V3_TO_V4.get(name)
        if not value and path:
            if ".[]." in path:
                root, leaf = path.split(".[].")
                items = _get(doc, root)
                value = [_get(i, leaf) for i in items] if isinstance(items, list) else None
            else:
                value = _get(doc, path)
        if name == "status":
            value = (
                "registered"
                if doc.get("status") in ("registered", "amended")
                else "pending_registration"
            )
        if value is not None:
            out[name] = value
    return out


# -- configuration and metadata validation ----------------------------------------------


def load_config(settings: Settings) -> dict[str, Any]:
    """``PUBLISHED_DATA_CONFIG_FILE``, else ``publishedDataConfig.example.json``, else ``{}``."""
    for name in (settings.features.published_data_config_file, "publishedDataConfig.example.json"):
        path = Path(name)
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            return loaded if isinstance(loaded, dict) else {}
    return {}


_DYNAMIC = {"currentYear": lambda: datetime.datetime.now(datetime.UTC).year}


def apply_defaults(schema: Any, metadata: dict[str, Any]) -> None:
    """Ajv's ``useDefaults: "empty"`` and the ``dynamicDefaults`` keyword, for objects."""
    if not isinstance(schema, dict):
        return
    for part in schema.get("allOf") or []:
        apply_defaults(part, metadata)
    for key, name in (schema.get("dynamicDefaults") or {}).items():
        if metadata.get(key) in (None, "") and name in _DYNAMIC:
            metadata[key] = _DYNAMIC[name]()
    for key, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict) and "default" in sub and metadata.get(key) in (None, ""):
            metadata[key] = sub["default"]


def metadata_errors(config: dict[str, Any], record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Ajv-style errors of ``record['metadata']`` against the config's metadataSchema."""
    schema = config.get("metadataSchema")
    if schema is None:
        return None
    metadata = record.setdefault("metadata", {})
    if isinstance(metadata, dict):
        apply_defaults(schema, metadata)
    validator = jsonschema.Draft201909Validator(schema)
    errors = [
        {
            "instancePath": "".join(f"/{p}" for p in error.absolute_path),
            "schemaPath": "#/" + "/".join(str(p) for p in error.absolute_schema_path),
            "keyword": error.validator,
            "params": {},
            "message": error.message,
        }
        for error in validator.iter_errors(metadata)
    ]
    return errors or None
