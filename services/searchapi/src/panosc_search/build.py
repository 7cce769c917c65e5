"""SciCat documents → the PaNOSC graph (see README, "Mapping").

Only public data enters: published datasets, registered published data, the instruments,
published samples, and the proposals of published datasets (never their unpublished data).
"""

from __future__ import annotations

import hashlib
import math
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import Catalogue, Node
from .units import to_si


@dataclass(frozen=True)
class Source:
    """What the backend returned, before mapping."""

    published_data: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    instruments: list[dict[str, Any]]
    samples: list[dict[str, Any]]
    proposals: dict[str, dict[str, Any]]


def short_id(*parts: str) -> str:
    """A stable id in PaNOSC's alphabet (0-9A-Za-z_.~-)."""
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:16]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def parameters_of(owner: str, metadata: Any) -> list[Node]:
    """SciCat ``scientificMetadata`` entries ``{value|v, unit|u}`` (or bare scalars)."""
    if not isinstance(metadata, dict):
        return []
    found = []
    for name, entry in metadata.items():
        if isinstance(entry, dict):
            value = entry.get("value", entry.get("v"))
            unit = entry.get("unit", entry.get("u")) or ""
        else:
            value, unit = entry, ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue  # PaNOSC parameters are numbers or strings
        number = _number(value)
        if isinstance(value, float) and number is None:
            continue
        unit = unit if isinstance(unit, str) else str(unit)
        node = Node("Parameter", f"{owner}\0{name}",
                    {"id": short_id(owner, name), "name": name, "value": value, "unit": unit})
        node.si = to_si(float(number), unit) if number is not None and unit else None
        found.append(node)
    return found


def _files(dataset: dict[str, Any]) -> list[Node]:
    files = []
    for block in dataset.get("origdatablocks") or []:
        for entry in block.get("dataFileList") or []:
            path = entry.get("path")
            if not isinstance(path, str):
                continue
            folder, name = posixpath.split(path)
            fields: dict[str, Any] = {"id": short_id(dataset["pid"], path), "name": name,
                                      "path": folder}
            if _number(entry.get("size")) is not None:
                fields["size"] = entry["size"]
            files.append(Node("File", f"{dataset['pid']}\0{path}", fields))
    return files


class _Builder:
    def __init__(self, source: Source, facility: str) -> None:
        self.source = source
        self.facility = facility
        self.catalogue = Catalogue()
        self.proposal_of = {
            str(d["pid"]): ids[0] for d in source.datasets if (ids := proposal_ids([d]))
        }
        self._by_proposal: dict[str, list[str]] = {}
        for pid, proposal in self.proposal_of.items():
            self._by_proposal.setdefault(proposal, []).append(pid)

    def build(self) -> Catalogue:
        for instrument in self.source.instruments:
            if _text(instrument.get("pid")):
                self.catalogue.add(Node("Instrument", instrument["pid"], {
                    "pid": instrument["pid"],
                    "name": instrument.get("name") or instrument.get("uniqueName") or "",
                    "facility": self.facility,
                }))
        samples = {s["sampleId"]: s for s in self.source.samples if _text(s.get("sampleId"))}
        for raw in sorted(self.source.datasets, key=lambda d: (str(d.get("creationTime")),
                                                                d.get("pid", ""))):
            if raw.get("isPublished") is True and _text(raw.get("pid")):
                self._dataset(raw, samples)
        for raw in self.source.published_data:
            if _text(raw.get("doi")):
                self._publication(raw)
        for proposal_id, raw in sorted(self.source.proposals.items()):
            self._proposal(proposal_id, raw)
        return self.catalogue

    def _dataset(self, raw: dict[str, Any], samples: dict[str, dict[str, Any]]) -> None:
        fields: dict[str, Any] = {
            "pid": raw["pid"], "title": raw.get("datasetName") or raw["pid"], "isPublic": True,
            "creationDate": raw.get("creationTime"),
        }
        if _number(raw.get("size")) is not None:
            fields["size"] = raw["size"]
        dataset = self.catalogue.add(Node("Dataset", raw["pid"], fields))
        for parameter in parameters_of(raw["pid"], raw.get("scientificMetadata")):
            dataset.link("parameters", parameter)
            parameter.link("dataset", dataset)
        for file in _files(raw):
            dataset.link("files", file)
            file.link("dataset", dataset)
        instrument = self.catalogue.get("Instrument", str(raw.get("instrumentId")))
        if instrument is not None:
            dataset.link("instrument", instrument)
            instrument.link("datasets", dataset)
        sample_raw = samples.get(str(raw.get("sampleId")))
        if sample_raw is not None:
            sample = self.catalogue.add(Node("Sample", sample_raw["sampleId"], {
                "pid": sample_raw["sampleId"],
                "name": sample_raw.get("sampleName") or sample_raw.get("description")
                or sample_raw["sampleId"],
                "description": sample_raw.get("description") or "",
            }))
            dataset.link("samples", sample)
            sample.link("datasets", dataset)
        for technique_raw in raw.get("techniques") or []:
            name, pid = technique_raw.get("name"), technique_raw.get("pid")
            if not (_text(name) or _text(pid)):
                continue
            fields = {"pid": pid or name, "name": name or pid}
            if isinstance(pid, str) and pid.startswith("PaNET"):
                fields["panetId"] = f"http://purl.org/pan-science/PaNET/{pid}"
            elif isinstance(pid, str) and pid.startswith("http://purl.org/pan-science/PaNET/"):
                fields["panetId"] = pid  # the IRI itself, as scicatlive's seed gives it
            technique = self.catalogue.add(Node("Technique", str(pid or name), fields))
            dataset.link("techniques", technique)
            technique.link("datasets", dataset)
        dataset.search_text = " ".join(filter(None, [
            fields.get("title"), raw.get("description"), " ".join(raw.get("keywords") or []),
        ]))

    def _members(self, document: Node, names: Iterable[Any], role: str,
                 affiliation: str | None) -> None:
        for name in names:
            if not _text(name):
                continue
            person = self.catalogue.add(Node("Person", short_id("person", name), {
                "id": short_id("person", name), "fullName": name}))
            member = self.catalogue.add(Node("Member", short_id(document.key, role, name), {
                "id": short_id(document.key, role, name), "role": role}))
            member.link("person", person)
            person.link("members", member)
            member.link("document", document)
            document.link("members", member)
            if affiliation:
                place = self.catalogue.add(Node("Affiliation", short_id("org", affiliation), {
                    "id": short_id("org", affiliation), "name": affiliation}))
                member.link("affiliation", place)
                place.link("members", member)

    def _attach(self, document: Node, pids: Iterable[Any]) -> None:
        for pid in pids:
            dataset = self.catalogue.get("Dataset", str(pid))
            if dataset is not None:  # unpublished or missing datasets stay out
                document.link("datasets", dataset)
                dataset.link("documents", document)

    def _publication(self, raw: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"pid": raw["doi"], "isPublic": True, "type": "publication",
                                  "title": raw.get("title") or raw["doi"], "doi": raw["doi"]}
        if _text(raw.get("abstract")):
            fields["summary"] = raw["abstract"]
        year = raw.get("publicationYear")
        if isinstance(year, int) and not isinstance(year, bool):
            fields["releaseDate"] = f"{year:04d}-01-01T00:00:00.000Z"
        document = self.catalogue.add(Node("Document", raw["doi"], fields))
        self._members(document, raw.get("creator") or [], "creator", _text(raw.get("affiliation")))
        self._members(document, raw.get("authors") or [], "contributor", None)
        self._attach(document, raw.get("pidArray") or [])
        document.search_text = " ".join(filter(None, [
            fields["title"], fields.get("summary"), raw.get("dataDescription"),
            " ".join(str(c) for c in raw.get("creator") or []),
        ]))

    def _proposal(self, proposal_id: str, raw: dict[str, Any]) -> None:
        fields: dict[str, Any] = {"pid": proposal_id, "isPublic": True, "type": "proposal",
                                  "title": raw.get("title") or proposal_id}
        if _text(raw.get("abstract")):
            fields["summary"] = raw["abstract"]
        if raw.get("startTime"):
            fields["startDate"] = raw["startTime"]
        if raw.get("endTime"):
            fields["endDate"] = raw["endTime"]
        keywords = [k for k in raw.get("keywords") or [] if isinstance(k, str)]
        if keywords:
            fields["keywords"] = keywords
        document = self.catalogue.add(Node("Document", proposal_id, fields))
        pi = " ".join(filter(None, [raw.get("pi_firstname"), raw.get("pi_lastname")]))
        proposer = " ".join(filter(None, [raw.get("firstname"), raw.get("lastname")]))
        self._members(document, [pi], "principal investigator", None)
        if proposer and proposer != pi:
            self._members(document, [proposer], "proposer", None)
        self._attach(document, self._by_proposal.get(proposal_id, []))
        document.search_text = " ".join(filter(None, [
            fields["title"], fields.get("summary"), " ".join(keywords), pi, proposer]))


def build_catalogue(source: Source, facility: str) -> Catalogue:
    return _Builder(source, facility).build()


def proposal_ids(datasets: Iterable[dict[str, Any]]) -> list[str]:
    """The proposals that published datasets belong to (SciCat ``proposalId``, v3 and v4)."""
    found: dict[str, None] = {}
    for dataset in datasets:
        for key in ("proposalId", "proposalIds"):
            value = dataset.get(key)
            for proposal in value if isinstance(value, list) else [value]:
                if isinstance(proposal, str) and proposal:
                    found[proposal] = None
    return list(found)
