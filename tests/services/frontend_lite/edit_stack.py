"""A scicat-lite for the editing flows: seeded by scicatlive's own seeding (the MX recipe),
with a principal investigator of each seeded proposal among its accounts.

Its accounts: ``admin`` (group ``admin``), ``pi`` (the first proposal's group: they own
its datasets and samples), ``colleague`` (the second proposal's group), ``nobody`` (a
group that owns nothing) and ``ingestor`` (the lite stack's sample writers). Published
data is checked against a small metadata schema of this test's own.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from frontend_harness import MX_RECIPE, PID_PREFIX, Backend, seed_mx

from tests.support import ProfileAccount
from tests.support.lite import scicat_lite

# The metadata published data must carry (validated by the backend, JSON Schema 2019-09).
PUBLISHED_DATA_SCHEMA = {
    "metadataSchema": {
        "allOf": [
            {"dynamicDefaults": {"publicationYear": "currentYear"}},
            {
                "type": "object",
                "properties": {
                    "creators": {
                        "type": "array",
                        "title": "Creators",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string", "title": "Name", "minLength": 1},
                                "affiliation": {"type": "string", "title": "Affiliation"},
                            },
                            "required": ["name"],
                        },
                    },
                    "publisher": {
                        "type": "object",
                        "title": "Publisher",
                        "properties": {"name": {"type": "string", "title": "Publisher name"}},
                        "required": ["name"],
                    },
                    "publicationYear": {"type": "integer", "title": "Publication year"},
                    "resourceType": {
                        "type": "string",
                        "title": "Resource type",
                        "enum": ["raw", "derived", "Dataset"],
                        "default": "Dataset",
                    },
                },
                "required": ["creators", "publisher", "publicationYear", "resourceType"],
            },
        ]
    }
}


@dataclass(frozen=True)
class EditStack:
    backend: Backend
    pi_group: str
    colleague_group: str


def proposal_groups() -> list[str]:
    """The groups scicatlive's mapping gives the recipe's proposals (its name, lower case)."""
    from scicatlive.mapping.options import proposal_group
    from scicatlive.seeding.generator import generate
    from scicatlive.seeding.recipe import load_recipe

    return [proposal_group(p) for p in generate(load_recipe(MX_RECIPE)).proposals]


@contextmanager
def edit_stack(postgres_server: str, folder: Path) -> Iterator[EditStack]:
    first, second = proposal_groups()[:2]
    groups = {
        "admin": ["admin"],
        "pi": [first],
        "colleague": [second],
        "nobody": ["group9"],
        "ingestor": ["ingestor"],
    }
    accounts = tuple(
        ProfileAccount(username=name, email=f"{name}@example.org", groups=member_of)
        for name, member_of in groups.items()
    )
    passwords = {name: secrets.token_urlsafe(12) for name in groups}
    config = folder / "publishedDataConfig.json"
    config.write_text(json.dumps(PUBLISHED_DATA_SCHEMA))
    with scicat_lite(
        postgres_server,
        folder,
        accounts,
        passwords,
        PID_PREFIX=PID_PREFIX,
        PUBLISHED_DATA_CONFIG_FILE=str(config),
    ) as url:
        backend = Backend(url=url, passwords=passwords, pid_prefix=PID_PREFIX)
        seed_mx(backend)
        yield EditStack(backend, first, second)
