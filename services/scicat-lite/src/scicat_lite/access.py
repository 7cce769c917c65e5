"""Who may do what: the backend's CASL rules for the collections served here.

Every permission decision lives in this module. ``None`` stands for an anonymous caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

from .auth import User
from .filters import Sql
from .settings import ALL_AUTHENTICATED, GroupSettings

Doc = Mapping[str, Any]


class CreateRight(Enum):
    """How far a user may go when creating datasets (or samples, attachments)."""

    NONE = 0
    OWN_GROUP = 1  # ownerGroup must be one of the user's groups, no client pid
    OWN_GROUP_WITH_PID = 2
    ANY_GROUP = 3  # privileged and admin users


def _member(user: User | None, groups: Iterable[str], *, everyone: bool = True) -> bool:
    if user is None:
        return False
    groups = frozenset(groups)
    return (everyone and ALL_AUTHENTICATED in groups) or bool(groups.intersection(user.groups))


def owns(user: User | None, doc: Doc) -> bool:
    return user is not None and doc.get("ownerGroup") in user.groups


def _shares(user: User | None, doc: Doc) -> bool:
    if user is None:
        return False
    return bool(set(doc.get("accessGroups") or []).intersection(user.groups))


class Access:
    """The permission rules, configured by the group environment variables."""

    def __init__(self, groups: GroupSettings) -> None:
        self.groups = groups

    def is_admin(self, user: User | None) -> bool:
        return _member(user, self.groups.admin, everyone=False)

    def can_delete(self, user: User | None) -> bool:
        return _member(user, self.groups.delete, everyone=False)

    # -- visibility -------------------------------------------------------------------

    def visibility(self, user: User | None, *, read_all: bool = False, shared: bool = False) -> Sql:
        """SQL restricting a collection table to what ``user`` may read."""
        if read_all or self.is_admin(user):
            return Sql("TRUE")
        if user is None:
            return Sql("is_published")
        groups = list(user.groups)
        text = "owner_group = ANY(%s) OR access_groups && %s::text[] OR is_published"
        params: tuple[Any, ...] = (groups, groups)
        if shared and user.email:
            text += " OR shared_with @> ARRAY[%s]::text[]"
            params += (user.email,)
        return Sql(text, params)

    def own_groups_only(self, user: User | None, *, facets: bool = False) -> Sql:
        """The ``userGroups`` restriction fullquery/fullfacet add for non-admins.

        Faceting ignores it for members of ``globalaccess``, as upstream's facet pipeline does.
        """
        if self.is_admin(user) or (facets and user is not None and "globalaccess" in user.groups):
            return Sql("TRUE")
        if user is None:
            return Sql("is_published")
        groups = list(user.groups)
        return Sql("owner_group = ANY(%s) OR access_groups && %s::text[]", (groups, groups))

    def can_see(self, user: User | None, doc: Doc, *, read_all: bool = False) -> bool:
        if read_all or self.is_admin(user) or doc.get("isPublished") is True:
            return True
        return owns(user, doc) or _shares(user, doc)

    # -- datasets ---------------------------------------------------------------------

    def dataset_create_right(self, user: User | None) -> CreateRight:
        if user is None:
            return CreateRight.NONE
        if self.is_admin(user) or _member(
            user, self.groups.create_dataset_privileged, everyone=False
        ):
            return CreateRight.ANY_GROUP
        if _member(user, self.groups.create_dataset_with_pid):
            return CreateRight.OWN_GROUP_WITH_PID
        if _member(user, self.groups.create_dataset):
            return CreateRight.OWN_GROUP
        return CreateRight.NONE

    def reads_any_dataset(self, user: User | None) -> bool:
        """``DatasetReadAny``: ADMIN_GROUPS, and UPDATE_DATASET_LIFECYCLE_GROUPS (an archive
        system reads every dataset whose lifecycle it writes)."""
        return self.is_admin(user) or _member(user, self.groups.update_dataset_lifecycle, everyone=False)

    def may_use_dataset_create_endpoint(self, user: User | None) -> bool:
        return self.dataset_create_right(user) is not CreateRight.NONE

    def may_create_dataset(self, user: User | None, doc: Doc, *, with_pid: bool) -> bool:
        right = self.dataset_create_right(user)
        if right is CreateRight.ANY_GROUP:
            return True
        if right is CreateRight.NONE or (with_pid and right is not CreateRight.OWN_GROUP_WITH_PID):
            return False
        return owns(user, doc)

    def may_write_dataset(self, user: User | None, dataset: Doc) -> bool:
        """Update the dataset or add/change its origdatablocks and attachments."""
        if self.is_admin(user):
            return True
        return self.dataset_create_right(user) is not CreateRight.NONE and owns(user, dataset)

    # -- origdatablocks ---------------------------------------------------------------

    def may_create_block(self, user: User | None, owner_group: Any) -> bool:
        """``OrigdatablockCreateAny`` (admin, privileged) or ``…CreateOwner`` (own group)."""
        right = self.dataset_create_right(user)
        if right is CreateRight.ANY_GROUP:
            return True
        return right is not CreateRight.NONE and owns(user, {"ownerGroup": owner_group})

    def may_update_block(self, user: User | None, owner: Doc) -> bool:
        """``OrigdatablockUpdateAny`` (admin) or ``…UpdateOwner`` (the owner's group)."""
        if self.is_admin(user):
            return True
        return self.dataset_create_right(user) is not CreateRight.NONE and owns(user, owner)

    def may_read_block(self, user: User | None, owner: Doc) -> bool:
        """``OrigdatablockReadAny`` or ``…ReadOneAccess`` (owner/access group, or published)."""
        return user is not None and self.can_see(user, owner)

    def blocks_v3_scope(self, user: User) -> Sql:
        """v3 lists: owner or access group only (upstream's ``userGroups`` filter)."""
        if self.is_admin(user):
            return Sql("TRUE")
        groups = list(user.groups)
        return Sql("owner_group = ANY(%s) OR access_groups && %s::text[]", (groups, groups))

    # -- proposals --------------------------------------------------------------------

    def proposal_manager(self, user: User | None) -> bool:
        return self.is_admin(user) or _member(user, self.groups.proposal, everyone=False)

    # -- samples ----------------------------------------------------------------------

    def sample_privileged(self, user: User | None) -> bool:
        return self.is_admin(user) or _member(user, self.groups.sample_privileged, everyone=False)

    def may_create_sample(self, user: User | None) -> bool:
        return self.sample_privileged(user) or _member(user, self.groups.sample)

    def may_write_sample(self, user: User | None, sample: Doc) -> bool:
        if self.sample_privileged(user):
            return True
        return _member(user, self.groups.sample) and owns(user, sample)

    # -- attachments (v4) -------------------------------------------------------------

    def attachment_privileged(self, user: User | None) -> bool:
        return self.is_admin(user) or _member(
            user, self.groups.attachment_privileged, everyone=False
        )

    def may_use_attachment_endpoint(self, user: User | None) -> bool:
        return self.attachment_privileged(user) or _member(user, self.groups.attachment)

    def may_write_attachment(self, user: User | None, attachment: Doc) -> bool:
        if self.attachment_privileged(user):
            return True
        return _member(user, self.groups.attachment) and owns(user, attachment)

    # -- instruments ------------------------------------------------------------------

    def may_manage_instruments(self, user: User | None) -> bool:
        return self.is_admin(user)
