"""The frontend's configuration and theme, served from the database as backend v5 does.

At start-up each file (``FRONTEND_CONFIG_FILE``, ``FRONTEND_THEME_FILE``) that exists and
is not empty overwrites its record (``frontendConfig``, ``frontendTheme``); admins may
change the records at run time until the next start.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import psycopg

from .identity.ids import object_id
from .settings import Settings
from .store import Collection, Doc
from .timeutil import now_iso

log = logging.getLogger(__name__)
RUNTIME_CONFIGS = Collection("runtime_configs")
SYSTEM = "system"


class ConfigFileError(ValueError):
    """A mounted configuration file is not a JSON object; the message names the file."""


def read_config_files(settings: Settings) -> dict[str, dict[str, Any]]:
    """The configurations to store, by id; missing or empty files are skipped (as upstream)."""
    found: dict[str, dict[str, Any]] = {}
    for cid, variable, path in (
        ("frontendConfig", "FRONTEND_CONFIG_FILE", settings.frontend_config_file),
        ("frontendTheme", "FRONTEND_THEME_FILE", settings.frontend_theme_file),
    ):
        file = Path(path)
        if not file.is_file():
            log.info("%s: %s not found, %s is not served", variable, file, cid)
            continue
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ConfigFileError(f"{file} ({variable}): not valid JSON: {error}") from error
        if not isinstance(data, dict):
            raise ConfigFileError(f"{file} ({variable}): must hold a JSON object")
        if data:
            found[cid] = data
    return found


def sync_configs(conn: psycopg.Connection, configs: dict[str, dict[str, Any]]) -> None:
    for cid, data in configs.items():
        current = RUNTIME_CONFIGS.get(conn, cid, lock=True)
        now = now_iso()
        if current is None:
            RUNTIME_CONFIGS.insert(
                conn,
                {
                    "_id": object_id(),
                    "cid": cid,
                    "data": data,
                    "createdBy": SYSTEM,
                    "updatedBy": SYSTEM,
                    "createdAt": now,
                    "updatedAt": now,
                },
            )
        else:
            RUNTIME_CONFIGS.replace(
                conn, {**current, "data": data, "updatedBy": SYSTEM, "updatedAt": now}
            )


def get_config(conn: psycopg.Connection, cid: str) -> Doc | None:
    return RUNTIME_CONFIGS.get(conn, cid)


def update_config(
    conn: psycopg.Connection, cid: str, data: dict[str, Any], username: str
) -> Doc | None:
    current = RUNTIME_CONFIGS.get(conn, cid, lock=True)
    if current is None:
        return None
    return RUNTIME_CONFIGS.replace(
        conn, {**current, "data": data, "updatedBy": username, "updatedAt": now_iso()}
    )
