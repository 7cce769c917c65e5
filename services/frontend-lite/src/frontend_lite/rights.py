"""Which editing controls a page shows: the backend's write rules, seen from the frontend.

The backend decides every write; this module only predicts its answer, so that a page
offers Edit, Share or Publish where the backend will accept them and nowhere else. It
follows backend v5.2.1's CASL rules, fed with the same group variables the backend reads
(``ADMIN_GROUPS``, ``CREATE_DATASET_GROUPS``, ``PROPOSAL_GROUPS``, ``SAMPLE_GROUPS``,
``SAMPLE_PRIVILEGED_GROUPS``): a mismatch only shows or hides a control, and a form posted
anyway gets the backend's own 403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .session import Viewer
from .settings import ALL_SIGNED_IN, Settings


def _member(viewer: Viewer, groups: Iterable[str], *, everyone: bool = True) -> bool:
    if not viewer.signed_in:
        return False
    wanted = frozenset(groups)
    return (everyone and ALL_SIGNED_IN in wanted) or bool(wanted.intersection(viewer.groups))


def _owns(viewer: Viewer, record: Any) -> bool:
    owner = (
        record.get("ownerGroup")
        if isinstance(record, Mapping)
        else getattr(record, "ownerGroup", None)
    )
    return viewer.signed_in and owner in viewer.groups


@dataclass(frozen=True)
class Rights:
    admin: frozenset[str]
    create_dataset: frozenset[str]
    proposal: frozenset[str]
    sample: frozenset[str]
    sample_privileged: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> Rights:
        return cls(
            admin=settings.admin_groups,
            create_dataset=settings.create_dataset_groups,
            proposal=settings.proposal_groups,
            sample=settings.sample_groups,
            sample_privileged=settings.sample_privileged_groups,
        )

    def is_admin(self, viewer: Viewer) -> bool:
        return _member(viewer, self.admin, everyone=False)

    def may_edit_dataset(self, viewer: Viewer, dataset: Any) -> bool:
        """``DatasetUpdate``: admins, or dataset writers of the dataset's owner group."""
        if self.is_admin(viewer):
            return True
        return _member(viewer, self.create_dataset) and _owns(viewer, dataset)

    def may_edit_sample(self, viewer: Viewer, sample: Any) -> bool:
        if self.is_admin(viewer) or _member(viewer, self.sample_privileged, everyone=False):
            return True
        return _member(viewer, self.sample) and _owns(viewer, sample)

    def may_edit_proposal(self, viewer: Viewer) -> bool:
        return self.is_admin(viewer) or _member(viewer, self.proposal, everyone=False)

    def may_manage_published(self, viewer: Viewer, record: Mapping[str, Any]) -> bool:
        """Publish, register or edit a published data record: its creator, or an admin."""
        return viewer.signed_in and (
            self.is_admin(viewer) or record.get("createdBy") == viewer.username
        )
