"""access.matrix: who may read, list, create, update and delete datasets, proposals and samples.

The check creates its own records owned by group A (``group1``): an unpublished
and a published dataset, an unpublished proposal, an unpublished and a published
sample. Then anonymous, group A (``user1``), group B (``user2``) and ``admin``
each try every operation, and every answer is compared with SciCat's rules
under the bundled profiles' group settings (``ADMIN_GROUPS=admin``,
``DELETE_GROUPS=archivemanager``, ``PROPOSAL_GROUPS=proposalingestor``,
``SAMPLE_GROUPS=ingestor``, ``CREATE_DATASET_GROUPS=#all``):

* anonymous sees published records only, and may not write;
* group B may neither read nor change group A's unpublished records;
* group A reads its own records and may update its datasets, not its proposals
  or samples (those need PROPOSAL_GROUPS / SAMPLE_GROUPS);
* admin reads and changes everything but may not delete (upstream's
  DELETE_GROUPS rule); ``archiveManager`` deletes, and cleans up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed
from scicatlive.clients.http import Session, describe
from scicatlive.clients.scicat import V3, encode_pid

GROUP_A, GROUP_B = "group1", "group2"
USER_A, USER_B, ADMIN, DELETER = "user1", "user2", "admin", "archiveManager"
SUBJECTS: tuple[str | None, ...] = (None, USER_A, USER_B, ADMIN)
LABELS = {None: "anonymous", USER_A: f"group A ({USER_A})", USER_B: f"group B ({USER_B})", ADMIN: ADMIN, DELETER: DELETER}

ALLOWED_READ = {200}
ALLOWED_WRITE = {200, 201, 204}
DENIED = {401, 403}
DENIED_READ = {401, 403, 404}

# Who may do what to group A's *unpublished* records (the bundled profiles' settings).
RULES: dict[tuple[str, str], frozenset[str | None]] = {
    ("datasets", "read"): frozenset({USER_A, ADMIN}),
    ("datasets", "create"): frozenset({USER_A, ADMIN}),
    ("datasets", "update"): frozenset({USER_A, ADMIN}),
    ("datasets", "delete"): frozenset(),
    ("proposals", "read"): frozenset({USER_A, ADMIN}),
    ("proposals", "create"): frozenset({ADMIN}),
    ("proposals", "update"): frozenset({ADMIN}),
    ("proposals", "delete"): frozenset(),
    ("samples", "read"): frozenset({USER_A, ADMIN}),
    ("samples", "create"): frozenset({ADMIN}),
    ("samples", "update"): frozenset({ADMIN}),
    ("samples", "delete"): frozenset(),
}


@dataclass(frozen=True)
class Entity:
    name: str
    id_field: str
    publishable: bool
    make: Callable[[str, bool], dict[str, Any]]  # (unique name, published) -> create body
    update: dict[str, Any]
    list_param: str = "filter"

    def path(self, identifier: str | None = None) -> str:
        base = f"{V3}/{self.name}"
        return base if identifier is None else f"{base}/{encode_pid(identifier)}"


def _dataset(name: str, published: bool) -> dict[str, Any]:
    return {
        "type": "raw", "datasetName": name, "ownerGroup": GROUP_A, "accessGroups": [],
        "owner": "scicatlive check", "contactEmail": "check@scicatlive.invalid",
        "sourceFolder": f"/scicatlive/check/{name}", "creationTime": "2024-01-01T00:00:00.000Z",
        "principalInvestigator": "scicatlive check", "creationLocation": "/SCICATLIVE/check",
        "isPublished": published, "description": f"access matrix record {name}",
    }  # fmt: skip


def _proposal(name: str, published: bool) -> dict[str, Any]:
    return {"proposalId": name, "title": f"access matrix {name}", "email": "check@scicatlive.invalid",
            "ownerGroup": GROUP_A, "accessGroups": []}  # fmt: skip


def _sample(name: str, published: bool) -> dict[str, Any]:
    return {"sampleId": name, "sampleName": name, "ownerGroup": GROUP_A, "accessGroups": [],
            "isPublished": published, "description": "access matrix record"}  # fmt: skip


ENTITIES = (
    Entity("datasets", "pid", True, _dataset, {"description": "changed by the access matrix"}),
    Entity("proposals", "proposalId", False, _proposal, {"title": "changed by the access matrix"}, "filters"),
    Entity("samples", "sampleId", True, _sample, {"description": "changed by the access matrix"}),
)


@dataclass
class Matrix:
    ctx: CheckContext
    created: list[tuple[Entity, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cases: int = 0

    def client(self, subject: str | None) -> Session:
        return self.ctx.scicat(subject)

    def create(self, entity: Entity, subject: str, name: str, published: bool) -> str | None:
        response = self.client(subject).send(f"create {entity.name[:-1]} as {subject}", "POST", entity.path(),
                                             body=entity.make(name, published))  # fmt: skip
        if response.status_code in ALLOWED_WRITE:
            identifier = str(response.json()[entity.id_field])
            self.created.append((entity, identifier))
            return identifier
        return None

    def judge(self, what: str, subject: str | None, allowed: bool, status: int, detail: str, *, read: bool = False) -> None:
        self.cases += 1
        ok_codes = ALLOWED_READ if read else ALLOWED_WRITE
        denied_codes = DENIED_READ if read else DENIED
        if allowed and status not in ok_codes:
            self.problems.append(f"{what} as {LABELS[subject]}: expected allowed, got {detail}")
        elif not allowed and status not in denied_codes:
            self.problems.append(f"{what} as {LABELS[subject]}: expected denied (401/403), got {detail}")

    def cleanup(self) -> list[str]:
        left = []
        deleter = self.client(DELETER)
        for entity, identifier in reversed(self.created):
            response = deleter.send(f"delete {entity.name[:-1]} {identifier}", "DELETE", entity.path(identifier))
            if response.status_code not in (*ALLOWED_WRITE, 404):
                left.append(f"{entity.name[:-1]} {identifier} ({describe(response)})")
        self.created.clear()
        return left


def access_matrix(ctx: CheckContext) -> str:
    ctx.require_accounts(USER_A, USER_B, ADMIN, DELETER)
    matrix = Matrix(ctx)
    try:
        for entity in ENTITIES:
            _entity_matrix(matrix, entity)
        _anonymous_sees_published_only(matrix)
    finally:
        left = matrix.cleanup()
    if left:
        matrix.problems.append(f"cleanup as {DELETER}: could not delete " + ", ".join(left))
    if matrix.problems:
        raise CheckFailed(f"{len(matrix.problems)} of {matrix.cases} cases differ: " + "; ".join(matrix.problems))
    return f"{matrix.cases} cases match SciCat's rules (anonymous, group A, group B, admin × read/list/create/update/delete on datasets, proposals, samples)"


def _entity_matrix(matrix: Matrix, entity: Entity) -> None:
    run = matrix.ctx.run_id
    unpublished = matrix.create(entity, ADMIN, f"{run}-{entity.name}-u", False)
    if unpublished is None:
        raise CheckFailed(f"create {entity.name[:-1]} for {GROUP_A} as {ADMIN}: expected allowed, it was refused")
    published = matrix.create(entity, ADMIN, f"{run}-{entity.name}-p", True) if entity.publishable else None
    mine = [unpublished] + ([published] if published else [])
    for subject in SUBJECTS:
        client = matrix.client(subject)
        allowed = RULES[(entity.name, "read")]
        response = client.send(f"read {entity.name[:-1]}", "GET", entity.path(unpublished))
        matrix.judge(f"read unpublished {entity.name[:-1]}", subject, subject in allowed, response.status_code, describe(response), read=True)
        if published:
            response = client.send(f"read {entity.name[:-1]}", "GET", entity.path(published))
            matrix.judge(f"read published {entity.name[:-1]}", subject, True, response.status_code, describe(response), read=True)
        _list_case(matrix, entity, subject, mine, expected={unpublished} if subject in allowed else set(),
                   published=published)  # fmt: skip
        name = f"{run}-{entity.name}-new-{subject or 'anonymous'}"
        response = client.send(f"create {entity.name[:-1]}", "POST", entity.path(), body=entity.make(name, False))
        if response.status_code in ALLOWED_WRITE:
            matrix.created.append((entity, str(response.json()[entity.id_field])))
        matrix.judge(f"create {entity.name[:-1]} for {GROUP_A}", subject, subject in RULES[(entity.name, "create")],
                     response.status_code, describe(response))  # fmt: skip
        response = client.send(f"update {entity.name[:-1]}", "PATCH", entity.path(unpublished), body=entity.update)
        matrix.judge(f"update {entity.name[:-1]}", subject, subject in RULES[(entity.name, "update")],
                     response.status_code, describe(response))  # fmt: skip
    for subject in SUBJECTS:
        response = matrix.client(subject).send(f"delete {entity.name[:-1]}", "DELETE", entity.path(unpublished))
        matrix.judge(f"delete {entity.name[:-1]}", subject, subject in RULES[(entity.name, "delete")],
                     response.status_code, describe(response))  # fmt: skip
    response = matrix.client(DELETER).send(f"delete {entity.name[:-1]}", "DELETE", entity.path(unpublished))
    matrix.judge(f"delete {entity.name[:-1]}", DELETER, True, response.status_code, describe(response))


def _list_case(
    matrix: Matrix, entity: Entity, subject: str | None, mine: list[str], *, expected: set[str], published: str | None
) -> None:
    if published:
        expected = expected | {published}
    where = {entity.id_field: {"inq": mine}}
    response = matrix.client(subject).send(f"list {entity.name}", "GET", entity.path(),
                                           params={entity.list_param: json.dumps({"where": where})})  # fmt: skip
    matrix.cases += 1
    if response.status_code in DENIED and not expected:
        return
    if response.status_code != 200:
        matrix.problems.append(f"list {entity.name} as {LABELS[subject]}: expected 200, got {describe(response)}")
        return
    found = {str(r.get(entity.id_field)) for r in response.json() if isinstance(r, dict)}
    if found != expected:
        matrix.problems.append(
            f"list {entity.name} as {LABELS[subject]}: expected to see {sorted(expected) or 'none'} of the check's records, found {sorted(found) or 'none'}"
        )


def _anonymous_sees_published_only(matrix: Matrix) -> None:
    for entity in (e for e in ENTITIES if e.publishable):
        response = matrix.client(None).send(f"list {entity.name} anonymously", "GET", entity.path(),
                                            params={"filter": json.dumps({"limits": {"limit": 200}})})  # fmt: skip
        matrix.cases += 1
        if response.status_code in DENIED:
            continue
        if response.status_code != 200:
            matrix.problems.append(f"list {entity.name} as anonymous: expected 200, got {describe(response)}")
            continue
        hidden = [str(r.get(entity.id_field)) for r in response.json() if isinstance(r, dict) and r.get("isPublished") is not True]
        if hidden:
            matrix.problems.append(
                f"list {entity.name} as anonymous: expected published records only, found {len(hidden)} unpublished (e.g. {hidden[0]})"
            )


CHECKS = [
    Check("access.matrix", "anonymous / group A / group B / admin × read, list, create, update, delete on datasets, proposals and samples follow SciCat's rules",
          access_matrix, writes=True),
]
