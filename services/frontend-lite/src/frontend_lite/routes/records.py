"""Reading the records around a dataset, each in as few backend calls as it takes."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from ..backend import BackendClient, BackendError, segment
from ..models import Attachment, Dataset, Instrument, Proposal, Sample, parse, parse_list
from ..views.fields import Needs, Related

T = TypeVar("T")
THUMBNAIL_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# `$in` lists are sent in chunks of this many values (backends cap them; scicat-lite at 1000).
IN_CHUNK = 50
# Lookups of datasets by many keys run as one equality query per key, this many at a time:
# scicat-lite answers an equality from its index in milliseconds, but turns a `$in` over
# datasets into a scan of every document (50 values: over a minute at 60 000 datasets).
EACH_AT_ONCE = 8
EACH_LIMIT = 1000
# The fields of a derived dataset that the processing table reads.
RUN_FIELDS = ["pid", "datasetName", "type", "usedSoftware", "inputDatasets", "scientificMetadata"]


async def optional(coroutine: Awaitable[T]) -> T | None:
    """A linked record that may be missing or hidden: None instead of an error page."""
    try:
        return await coroutine
    except BackendError as error:
        if error.status in (401, 403, 404):
            return None
        raise


async def nothing() -> None:
    return None


async def _one(client: BackendClient, token: str | None, path: str, what: str) -> Any:
    return await optional(client.get(path, token=token, what=what))


async def sample_with_container(
    client: BackendClient, token: str | None, sample_id: str, with_container: bool
) -> tuple[Sample | None, Sample | None]:
    reply = await _one(client, token, f"/samples/{segment(sample_id)}", "sample")
    sample = parse(Sample, reply, "sample") if reply else None
    if sample is None or not with_container or not sample.parentSampleId:
        return sample, None
    parent = await _one(client, token, f"/samples/{segment(sample.parentSampleId)}", "container")
    return sample, parse(Sample, parent, "container") if parent else None


async def related_records(
    client: BackendClient, token: str | None, dataset: Dataset, needs: Needs
) -> Related:
    """The dataset's sample (and its container), proposal and instrument, as ``needs`` asks."""
    samples, proposal, instrument = await asyncio.gather(
        sample_with_container(client, token, dataset.sample, needs.container)
        if needs.sample and dataset.sample
        else _pair(),
        _one(client, token, f"/proposals/{segment(dataset.proposal)}", "proposal")
        if needs.proposal and dataset.proposal
        else nothing(),
        _one(client, token, f"/instruments/{segment(dataset.instrument)}", "instrument")
        if needs.instrument and dataset.instrument
        else nothing(),
    )
    return Related(
        dataset=dataset,
        sample=samples[0],
        container=samples[1],
        proposal=parse(Proposal, proposal, "proposal") if proposal else None,
        instrument=parse(Instrument, instrument, "instrument") if instrument else None,
    )


async def _pair() -> tuple[None, None]:
    return None, None


async def derived_from(
    client: BackendClient,
    token: str | None,
    pid: str,
    limit: int,
    fields: list[str] | None = None,
) -> list[Dataset]:
    """The datasets whose inputs include ``pid``, newest first."""
    query: dict[str, Any] = {
        "where": {"inputDatasets": pid},
        # The order matters to scicat-lite: it keeps the query on the index.
        "limits": {"limit": limit, "order": "creationTime:desc"},
    }
    if fields:
        query["fields"] = fields
    reply = await client.get("/datasets", token=token, what="derived datasets", filter=query)
    return parse_list(Dataset, reply, "derived datasets")


def chunks(values: Sequence[str], size: int = IN_CHUNK) -> list[list[str]]:
    unique = list(dict.fromkeys(values))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


async def find_in(
    client: BackendClient,
    token: str | None,
    collection: str,
    key: str,
    values: Sequence[str],
    what: str,
    *,
    fields: list[str] | None = None,
    limit: int = 5000,
) -> list[Any]:
    """Every record whose ``key`` is one of ``values`` (``$in``, in concurrent chunks).

    For samples and instruments; datasets go through :func:`derived_from_each`.
    """

    async def chunk(part: list[str]) -> list[Any]:
        query: dict[str, Any] = {"where": {key: {"$in": part}}, "limits": {"limit": limit}}
        if fields:
            query["fields"] = fields
        reply = await client.get(f"/{collection}", token=token, what=what, filter=query)
        if not isinstance(reply, list):
            raise BackendError(502, "unexpected reply: expected a list", what)
        return reply

    replies = await asyncio.gather(*(chunk(part) for part in chunks(values)))
    return [record for reply in replies for record in reply]


async def derived_from_each(
    client: BackendClient, token: str | None, pids: Sequence[str], fields: list[str] | None = None
) -> dict[str, list[Dataset]]:
    """The datasets derived from each of ``pids`` (one indexed query per pid, a few at a time)."""
    gate = asyncio.Semaphore(EACH_AT_ONCE)

    async def one(pid: str) -> tuple[str, list[Dataset]]:
        async with gate:
            return pid, await derived_from(client, token, pid, EACH_LIMIT, fields)

    return dict(await asyncio.gather(*(one(pid) for pid in dict.fromkeys(pids))))


async def datasets_by_pid(
    client: BackendClient, token: str | None, pids: Sequence[str], what: str
) -> list[Dataset]:
    """These datasets, each read by its PID; those missing or hidden are left out."""
    gate = asyncio.Semaphore(EACH_AT_ONCE)

    async def one(pid: str) -> Any:
        async with gate:
            return await _one(client, token, f"/datasets/{segment(pid)}", what)

    replies = await asyncio.gather(*(one(pid) for pid in dict.fromkeys(pids)))
    return [parse(Dataset, reply, what) for reply in replies if reply]


async def attachments_of(
    client: BackendClient, token: str | None, pid: str
) -> list[dict[str, Any]]:
    what = f"attachments of {pid}"
    reply = await client.get(f"/datasets/{segment(pid)}/attachments", token=token, what=what)
    return [attachment_view(a) for a in parse_list(Attachment, reply, what)]


def decode_data_uri(uri: str | None) -> tuple[str, bytes] | None:
    if not uri or not uri.startswith("data:") or "," not in uri:
        return None
    header, _, payload = uri[5:].partition(",")
    kind = header.split(";")[0].strip().lower() or "text/plain"
    try:
        data = base64.b64decode(payload, validate=True) if ";base64" in header else payload.encode()
    except (binascii.Error, ValueError):
        return None
    return kind, data


def attachment_view(attachment: Attachment) -> dict[str, Any]:
    decoded = decode_data_uri(attachment.thumbnail)
    view: dict[str, Any] = {"attachment": attachment, "image": None, "text": None}
    if decoded and decoded[0] in THUMBNAIL_TYPES:
        view["image"] = attachment.thumbnail
    elif decoded and decoded[0].startswith("text/"):
        view["text"] = decoded[1].decode("utf-8", errors="replace")[:20_000]
    return view
