"""datasets.lifecycle and search.findable: a dataset's life on the backend, and how soon search finds it.

Both create their own dataset (as ``admin``, owned by ``group1``), with a word
no other record holds, and delete everything they made as ``archiveManager``
(the DELETE_GROUPS account): attachments and origdatablocks first, because
upstream's dataset delete does not cascade.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed
from scicatlive.clients.http import Session, describe
from scicatlive.clients.scicat import V3, encode_pid

OWNER_GROUP = "group1"
WRITER, READER_A, READER_B, DELETER = "admin", "user1", "user2", "archiveManager"
SEARCH_BOUND_SECONDS = 5.0
POLL_SECONDS = 0.1
FILES = [("image_000001.h5", 1_000_000), ("image_000002.h5", 2_500_000), ("master.h5", 42_000)]


def marker_word() -> str:
    """A word (letters only, so every text search tokenises it whole) no record holds."""
    return "sclchk" + "".join(chr(ord("a") + int(c, 16)) for c in secrets.token_hex(6))


def dataset_body(name: str, word: str) -> dict[str, Any]:
    return {
        "type": "raw", "datasetName": name, "ownerGroup": OWNER_GROUP, "accessGroups": [],
        "owner": "scicatlive check", "contactEmail": "check@scicatlive.invalid",
        "sourceFolder": f"/scicatlive/check/{name}", "creationTime": "2024-01-01T00:00:00.000Z",
        "principalInvestigator": "scicatlive check", "creationLocation": "/SCICATLIVE/check",
        "description": f"scicatlive check dataset {word}", "keywords": ["scicatlive-check"],
        "isPublished": False,
    }  # fmt: skip


@dataclass
class Made:
    """What a check created, to delete in reverse order (children before the dataset)."""

    pid: str | None = None
    blocks: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)

    def cleanup(self, writer: Session, deleter: Session) -> None:
        """Attachments go with the dataset's write right (the writer); origdatablocks and
        the dataset need DELETE_GROUPS (the deleter)."""
        if self.pid is None:
            return
        base = f"{V3}/datasets/{encode_pid(self.pid)}"
        left: list[str] = []
        for aid in self.attachments:
            self._delete(writer, f"delete attachment {aid}", f"{base}/attachments/{encode_pid(aid)}", left)
        for oid in self.blocks:
            self._delete(deleter, f"delete origdatablock {oid}", f"{V3}/origdatablocks/{encode_pid(oid)}", left)
        self._delete(deleter, f"delete dataset {self.pid}", base, left)
        self.pid = None
        if left:
            raise CheckFailed("cleanup: " + "; ".join(left))

    @staticmethod
    def _delete(deleter: Session, operation: str, path: str, left: list[str]) -> None:
        response = deleter.send(operation, "DELETE", path)
        if response.status_code not in (200, 204, 404):
            left.append(f"{operation}: expected 200, got {describe(response)}")


def create_dataset(ctx: CheckContext, made: Made, word: str) -> dict[str, Any]:
    created: dict[str, Any] = ctx.scicat(WRITER).expect(
        f"create raw dataset as {WRITER}", "POST", f"{V3}/datasets",
        body=dataset_body(f"{ctx.run_id}-{word}", word), status=(200, 201),
    )  # fmt: skip
    made.pid = str(created["pid"])
    return created


def fullquery(client: Session, fields: dict[str, Any], who: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.expect(
        f"fullquery as {who}", "GET", f"{V3}/datasets/fullquery",
        params={"fields": json.dumps(fields), "limits": json.dumps({"limit": 10, "skip": 0})}, status=(200,),
    )  # fmt: skip
    return found


# -- datasets.lifecycle -------------------------------------------------------------------------


def dataset_lifecycle(ctx: CheckContext) -> str:
    ctx.require_accounts(WRITER, DELETER)
    made = Made()
    try:
        steps = _lifecycle_steps(ctx, made)
    finally:
        made_pid = made.pid
        made.cleanup(ctx.scicat(WRITER), ctx.scicat(DELETER))
    _assert_gone(ctx, made_pid)
    return steps


def _lifecycle_steps(ctx: CheckContext, made: Made) -> str:
    word = marker_word()
    admin = ctx.scicat(WRITER)
    create_dataset(ctx, made, word)
    pid = made.pid or ""
    base = f"{V3}/datasets/{encode_pid(pid)}"
    files = [{"path": p, "size": s, "time": "2024-01-01T00:00:00.000Z"} for p, s in FILES]
    total = sum(s for _, s in FILES)
    block = admin.expect("add origdatablock", "POST", f"{base}/origdatablocks",
                         body={"size": total, "dataFileList": files}, status=(200, 201))  # fmt: skip
    made.blocks.append(str(block.get("_id") or block.get("id")))
    after = admin.expect("read dataset after origdatablock", "GET", base, status=(200,))
    if after.get("size") != total or after.get("numberOfFiles") != len(FILES):
        raise CheckFailed(
            f"add origdatablock: expected dataset size {total} and numberOfFiles {len(FILES)}, "
            f"found size {after.get('size')} and numberOfFiles {after.get('numberOfFiles')}"
        )
    attachment = admin.expect("add attachment", "POST", f"{base}/attachments",
                              body={"caption": f"check {word}", "thumbnail": "data:text/plain;base64,Y2hlY2s=",
                                    "ownerGroup": OWNER_GROUP}, status=(200, 201))  # fmt: skip
    made.attachments.append(str(attachment.get("id") or attachment.get("aid") or attachment.get("_id")))
    _get_with_include(admin, pid, made)
    _patch(admin, base, word)
    _found_by_text(admin, pid, word)
    _counted_by_facet(admin, word)
    return (f"create → origdatablock (size {total}, {len(FILES)} files) → attachment → include → patch → "
            f"fullquery → fullfacet → delete, all as expected")  # fmt: skip


def _get_with_include(admin: Session, pid: str, made: Made) -> None:
    got = admin.expect("get dataset with include (v4)", "GET", f"/api/v4/datasets/{encode_pid(pid)}",
                       params={"include": ["origdatablocks", "attachments"]}, status=(200,))  # fmt: skip
    blocks = [str(b.get("_id") or b.get("id")) for b in got.get("origdatablocks") or []]
    attachments = [str(a.get("aid") or a.get("id") or a.get("_id")) for a in got.get("attachments") or []]
    if blocks != made.blocks or attachments != made.attachments:
        raise CheckFailed(
            f"get dataset with include: expected origdatablocks {made.blocks} and attachments {made.attachments}, "
            f"found {blocks} and {attachments}"
        )


def _patch(admin: Session, base: str, word: str) -> None:
    description = f"patched by the scicatlive check {word}"
    admin.expect("patch dataset", "PATCH", base, body={"description": description, "keywords": ["scicatlive-check", "patched"]},
                 status=(200,))  # fmt: skip
    after = admin.expect("read dataset after patch", "GET", base, status=(200,))
    if after.get("description") != description or "patched" not in (after.get("keywords") or []):
        raise CheckFailed(
            f"patch dataset: expected description {description!r} and keyword 'patched', "
            f"found {after.get('description')!r} and {after.get('keywords')}"
        )


def _found_by_text(admin: Session, pid: str, word: str) -> None:
    deadline = time.monotonic() + SEARCH_BOUND_SECONDS
    while True:
        pids = [d.get("pid") for d in fullquery(admin, {"text": word}, WRITER)]
        if pids == [pid]:
            return
        if time.monotonic() > deadline:
            raise CheckFailed(f"fullquery text {word!r}: expected exactly [{pid}] within {SEARCH_BOUND_SECONDS:.0f} s, found {pids}")
        time.sleep(POLL_SECONDS)


def _counted_by_facet(admin: Session, word: str) -> None:
    facets = admin.expect("fullfacet", "GET", f"{V3}/datasets/fullfacet",
                          params={"fields": json.dumps({"text": word}), "facets": json.dumps(["type", "keywords"])},
                          status=(200,))  # fmt: skip
    first = facets[0] if isinstance(facets, list) and facets else {}
    total = (first.get("all") or [{}])[0].get("totalSets")
    types = {b.get("_id"): b.get("count") for b in first.get("type") or []}
    keywords = {b.get("_id"): b.get("count") for b in first.get("keywords") or []}
    if total != 1 or types.get("raw") != 1 or keywords.get("patched") != 1:
        raise CheckFailed(
            f"fullfacet text {word!r}: expected totalSets 1, type raw 1, keyword 'patched' 1; "
            f"found totalSets {total}, type {types}, keywords {keywords}"
        )


def _assert_gone(ctx: CheckContext, pid: str | None) -> None:
    if pid is None:
        return
    response = ctx.scicat(WRITER).send("read deleted dataset", "GET", f"{V3}/datasets/{encode_pid(pid)}")
    if response.status_code != 404:
        raise CheckFailed(f"delete dataset {pid}: expected 404 afterwards, got {describe(response)}")
    blocks = ctx.scicat(WRITER).expect("list origdatablocks of the deleted dataset", "GET", f"{V3}/origdatablocks",
                                       params={"filter": json.dumps({"where": {"datasetId": pid}})}, status=(200,))  # fmt: skip
    if blocks:
        raise CheckFailed(f"delete dataset {pid}: expected its origdatablocks gone, found {len(blocks)}")


# -- search.findable --------------------------------------------------------------------------


def search_findable(ctx: CheckContext) -> str:
    ctx.require_accounts(WRITER, DELETER)
    made = Made()
    try:
        seconds = _search(ctx, made)
    finally:
        made.cleanup(ctx.scicat(WRITER), ctx.scicat(DELETER))
    return f"a new dataset was found by text after {seconds:.2f} s (bound {SEARCH_BOUND_SECONDS:.0f} s); visible to its group only"


def _search(ctx: CheckContext, made: Made) -> float:
    word = marker_word()
    started = time.monotonic()
    create_dataset(ctx, made, word)
    admin = ctx.scicat(WRITER)
    while True:
        found = [d.get("pid") for d in fullquery(admin, {"text": word}, WRITER)]
        elapsed = time.monotonic() - started
        if made.pid in found:
            break
        if elapsed > SEARCH_BOUND_SECONDS:
            raise CheckFailed(f"search text {word!r}: expected dataset {made.pid} within {SEARCH_BOUND_SECONDS:.0f} s, not found after {elapsed:.1f} s")
        time.sleep(POLL_SECONDS)
    if READER_A in ctx.target.accounts and READER_B in ctx.target.accounts:
        own = [d.get("pid") for d in fullquery(ctx.scicat(READER_A), {"text": word}, READER_A)]
        other = [d.get("pid") for d in fullquery(ctx.scicat(READER_B), {"text": word}, READER_B)]
        if own != [made.pid]:
            raise CheckFailed(f"search text {word!r} as {READER_A} ({OWNER_GROUP}): expected [{made.pid}], found {own}")
        if other:
            raise CheckFailed(f"search text {word!r} as {READER_B}: expected nothing (not their group, unpublished), found {other}")
    return elapsed


CHECKS = [
    Check("datasets.lifecycle", "create raw → origdatablock (size, numberOfFiles) → attachment → get with include → patch → fullquery → fullfacet → delete, cleaning up",
          dataset_lifecycle, writes=True),
    Check("search.findable", f"a new dataset is findable by text within {SEARCH_BOUND_SECONDS:.0f} s, by its group only",
          search_findable, writes=True),
]
