"""Who may create, update, read and delete jobs (``jobsEndpointAccess`` and
``jobsInstanceAccessCan`` in ``src/casl/casl-ability.factory.ts`` at v5.2.1).

``auth`` values of a job type: ``#all``, ``#datasetPublic``, ``#authenticated``,
``#datasetAccess``, ``#datasetOwner``, ``#jobAdmin`` (create) and ``#all``,
``#jobOwnerUser``, ``#jobOwnerGroup``, ``#jobAdmin`` (update); ``@group`` names a
group, any other string a user name. Admins are ADMIN_GROUPS; CREATE_JOB_PRIVILEGED_GROUPS
and UPDATE_JOB_PRIVILEGED_GROUPS are the job administrators of each operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..auth import User
from ..filters import Sql
from .config import JobConfiguration, JobType

CREATE_AUTH = (
    "#all",
    "#datasetPublic",
    "#authenticated",
    "#datasetAccess",
    "#datasetOwner",
    "#jobAdmin",
)
UPDATE_AUTH = ("#all", "#jobOwnerUser", "#jobOwnerGroup", "#jobAdmin")
DATASET_AUTH = ("#datasetPublic", "#datasetAccess", "#datasetOwner")


def _user_values(user: User) -> list[str]:
    return [f"@{group}" for group in user.groups] + [user.username]


class JobAccess:
    def __init__(
        self,
        config: JobConfiguration,
        *,
        admin: frozenset[str],
        create_privileged: frozenset[str],
        update_privileged: frozenset[str],
        delete: frozenset[str],
    ) -> None:
        self.config = config
        self._admin = admin
        self._create_privileged = create_privileged
        self._update_privileged = update_privileged
        self._delete = delete

    def _in(self, user: User | None, groups: frozenset[str]) -> bool:
        return user is not None and bool(groups.intersection(user.groups))

    def is_admin(self, user: User | None) -> bool:
        return self._in(user, self._admin)

    def is_create_privileged(self, user: User | None) -> bool:
        return self._in(user, self._create_privileged)

    def is_privileged_creator(self, user: User | None) -> bool:
        """Admins and CREATE_JOB_PRIVILEGED_GROUPS members choose the job's owner."""
        return self.is_admin(user) or self.is_create_privileged(user)

    def _role(self, user: User | None) -> str:
        if user is None:
            return "anonymous"
        if self.is_admin(user):
            return "admin"
        if self.is_create_privileged(user):
            return "create"
        if self._in(user, self._update_privileged):
            return "update"
        return "user"

    # -- endpoint gates (the PoliciesGuard: 403 "Forbidden resource") -----------------

    def endpoint_create(self, user: User | None) -> bool:
        role = self._role(user)
        auths = [t.create.auth for t in self.config.types.values()]
        if role == "anonymous":
            return any(a in ("#all", "#datasetPublic") for a in auths)
        if role in ("admin", "create"):
            return True
        if role == "update":
            return False
        assert user is not None
        allowed = set(CREATE_AUTH) | set(_user_values(user))
        return any(a in allowed for a in auths if a)

    def endpoint_update(self, user: User | None) -> bool:
        role = self._role(user)
        auths = [t.update.auth for t in self.config.types.values()]
        if role == "anonymous":
            return "#all" in auths
        if role in ("admin", "update"):
            return True
        if role == "create":
            return False
        assert user is not None
        allowed = set(UPDATE_AUTH) | set(_user_values(user))
        return any(a in allowed for a in auths if a)

    def endpoint_read(self, user: User | None) -> bool:
        return user is not None

    def endpoint_delete(self, user: User | None) -> bool:
        return self._in(user, self._delete)

    # -- instances --------------------------------------------------------------------

    def may_create(self, user: User | None, job_type: JobType) -> bool:
        auth = job_type.create.auth
        role = self._role(user)
        if role in ("admin", "create"):
            return True
        if role == "anonymous":
            return auth in ("#all", "#datasetPublic")
        if role == "update":
            return False
        assert user is not None
        allowed = {"#all", "#authenticated", *DATASET_AUTH, *_user_values(user)}
        return auth in allowed

    def may_update(self, user: User | None, job_type: JobType, job: Mapping[str, Any]) -> bool:
        auth = job_type.update.auth
        role = self._role(user)
        if role in ("admin", "update"):
            return True
        if role == "create":
            return False
        if role == "anonymous":
            return auth == "#all" and job.get("ownerGroup") is None
        assert user is not None
        if auth == "#jobOwnerUser":
            return job.get("ownerUser") == user.username
        if auth == "#jobOwnerGroup":
            return job.get("ownerGroup") in user.groups
        return auth in {"#all", *_user_values(user)}

    def may_read(self, user: User | None, job: Mapping[str, Any]) -> bool:
        role = self._role(user)
        if role in ("admin", "create", "update"):
            return True
        if user is None:
            return False
        return job.get("ownerGroup") in user.groups or job.get("ownerUser") == user.username

    def read_scope(self, user: User | None) -> Sql:
        """Lists: admins and job administrators see every job; others their own jobs
        (owner group or owner user) of the configured types."""
        role = self._role(user)
        if role in ("admin", "create", "update"):
            return Sql("TRUE")
        types = list(self.config.types)
        if user is None or not types:
            return Sql("FALSE")
        return Sql(
            "doc->>'type' = ANY(%s::text[]) AND (doc->>'ownerGroup' = ANY(%s::text[]) OR doc->>'ownerUser' = %s)",
            (types, list(user.groups), user.username),
        )
