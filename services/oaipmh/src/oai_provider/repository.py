"""The provider: the ``oaipmh`` library's server over one request's view of the records.

The library writes the protocol (envelope, verbs, argument validation, errors, resumption
tokens in its own encoding); this module answers its questions. Paging is by key, not by
offset: a token carries the (datestamp, identifier) of the last record sent, and the next page
starts after it, so a record changed mid-harvest cannot shift another one out of the harvest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from oaipmh import common, error  # type: ignore[import-untyped]
from oaipmh.datestamp import datetime_to_datestamp  # type: ignore[import-untyped]
from oaipmh.server import ServerBase, decodeResumptionToken, encodeResumptionToken  # type: ignore[import-untyped]

from .metadata import FORMATS, PREFIXES, RecordMetadata, registry
from .records import OPENAIRE_SET, YEAR_SET, PublishedRecord

LIST_VERBS = ("ListIdentifiers", "ListRecords", "ListSets")
PROTOCOL_VERBS = frozenset({"Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers",
                            "ListRecords", "GetRecord"})
_TOKEN_KEYS = frozenset({"metadataPrefix", "set", "from_", "until", "after"})
_EPOCH = datetime(1970, 1, 1)


def _naive(moment: datetime) -> datetime:
    """The library compares and prints naive UTC datetimes."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _key(record: PublishedRecord) -> str:
    return f"{datetime_to_datestamp(_naive(record.datestamp))}|{record.doi}"


class Repository:
    """The library's ``IOAI`` interface over the records read for this request."""

    def __init__(self, records: Sequence[PublishedRecord], *, name: str, base_url: str,
                 admin_email: str, landing_page_url: str | None) -> None:
        self.records = sorted(records, key=_key)
        self.by_id = {r.doi: r for r in self.records}
        self.name, self.base_url, self.admin_email = name, base_url, admin_email
        self.landing_page_url = landing_page_url

    def identify(self) -> common.Identify:
        earliest = min((_naive(r.datestamp) for r in self.records), default=_EPOCH)
        return common.Identify(
            repositoryName=self.name, baseURL=self.base_url, protocolVersion="2.0",
            adminEmails=[self.admin_email], earliestDatestamp=earliest, deletedRecord="no",
            granularity="YYYY-MM-DDThh:mm:ssZ", compression=["identity"],
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        if identifier is not None and identifier not in self.by_id:
            raise error.IdDoesNotExistError(f"No record has the identifier {identifier!r}.")
        return list(FORMATS)

    def listSets(self, cursor: int = 0, batch_size: int = 0, **_: Any) -> list[tuple[str, str, None]]:
        years = sorted({r.publicationYear for r in self.records if r.publicationYear})
        return [(OPENAIRE_SET[0], OPENAIRE_SET[1], None), (YEAR_SET[0], YEAR_SET[1], None)] + [
            (f"{YEAR_SET[0]}:{year}", f"Published in {year}", None) for year in years]

    def _header(self, record: PublishedRecord) -> common.Header:
        return common.Header(None, record.doi, _naive(record.datestamp), record.set_specs, False)

    def _metadata(self, record: PublishedRecord) -> RecordMetadata:
        return RecordMetadata(record, record.landing_page(self.landing_page_url))

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple[Any, Any, None]:
        self._check_prefix(metadataPrefix)
        record = self.by_id.get(identifier)
        if record is None:
            raise error.IdDoesNotExistError(f"No record has the identifier {identifier!r}.")
        return self._header(record), self._metadata(record), None

    @staticmethod
    def _check_prefix(prefix: str) -> None:
        if prefix not in PREFIXES:
            raise error.CannotDisseminateFormatError(
                f"Unknown metadataPrefix {prefix!r}; this repository offers "
                f"{', '.join(sorted(PREFIXES))}.")

    def select(self, metadataPrefix: str, set: str | None = None,
               from_: datetime | None = None, until: datetime | None = None,
               after: str | None = None) -> list[PublishedRecord]:
        self._check_prefix(metadataPrefix)
        if from_ is not None and until is not None and from_ > until:
            raise error.BadArgumentError("The 'from' date is later than the 'until' date.")
        return [
            r for r in self.records
            if (set is None or r.in_set(set))
            and (from_ is None or _naive(r.datestamp) >= from_)
            and (until is None or _naive(r.datestamp) <= until)
            and (after is None or _key(r) > after)
        ]

    def listIdentifiers(self, **kw: Any) -> list[common.Header]:
        return [self._header(r) for r in self.select(**kw)]

    def listRecords(self, **kw: Any) -> list[tuple[Any, Any, None]]:
        return [(self._header(r), self._metadata(r), None) for r in self.select(**kw)]


class KeysetResumption(common.ResumptionOAIPMH):  # type: ignore[misc]
    """Like the library's BatchingResumption, with the last key instead of an offset."""

    def __init__(self, repository: Repository, batch_size: int) -> None:
        self.repository = repository
        self.batch_size = batch_size

    def handleVerb(self, verb: str, kw: dict[str, Any]) -> Any:
        if verb not in PROTOCOL_VERBS:
            raise error.BadVerbError(f"Illegal verb: {verb}")
        cursor = 0
        if "resumptionToken" in kw:
            kw, cursor = self._decode(verb, kw["resumptionToken"])
        if verb == "ListSets":
            return self.repository.listSets(), None
        if verb not in LIST_VERBS:
            return common.getMethodForVerb(self.repository, verb)(**kw)
        selected = self.repository.select(**kw)
        page = selected[: self.batch_size]
        token = None
        if len(selected) > self.batch_size:
            state = {k: v for k, v in kw.items() if k != "after"}
            state["after"] = _key(page[-1])
            token = encodeResumptionToken(state, cursor + len(page))
        if verb == "ListIdentifiers":
            return [self.repository._header(r) for r in page], token
        return [(self.repository._header(r), self.repository._metadata(r), None)
                for r in page], token

    @staticmethod
    def _decode(verb: str, token: str) -> tuple[dict[str, Any], int]:
        try:
            kw, cursor = decodeResumptionToken(token)
        except (ValueError, TypeError) as problem:  # DatestampError is a ValueError
            raise error.BadResumptionTokenError(f"Unreadable resumption token: {problem}") \
                from None
        if set(kw) - _TOKEN_KEYS or "metadataPrefix" not in kw or "after" not in kw:
            raise error.BadResumptionTokenError(
                f"The resumption token {token!r} was not issued by this repository.")
        if kw["metadataPrefix"] not in PREFIXES:
            raise error.BadResumptionTokenError("The resumption token names no known format.")
        return kw, cursor


class Provider(ServerBase):  # type: ignore[misc]
    """The library's server, with this module's resumption in place of its offset paging.

    Two checks the library leaves out: its unofficial ``GetMetadata`` verb is refused, and an
    argument given twice is a ``badArgument`` (the protocol forbids repeated arguments).
    """

    def __init__(self, repository: Repository, batch_size: int) -> None:
        super().__init__(KeysetResumption(repository, batch_size), registry())
        self._repeated: list[str] = []

    def respond(self, arguments: Sequence[tuple[str, str]]) -> bytes:
        seen: dict[str, str] = {}
        self._repeated = []
        for name, value in arguments:
            if name in seen:
                self._repeated.append(name)
            seen[name] = value
        answer: bytes = self.handleRequest(seen)
        return answer

    def handleVerb(self, verb: str, kw: dict[str, Any]) -> Any:
        if verb not in PROTOCOL_VERBS:
            raise error.BadVerbError(f"Illegal verb: {verb}")
        if "verb" in self._repeated:
            raise error.BadVerbError("The verb argument is repeated; give one verb.")
        if self._repeated:
            raise error.BadArgumentError(
                f"The argument {self._repeated[0]!r} is repeated; give each argument once.")
        return super().handleVerb(verb, kw)
