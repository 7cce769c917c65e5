"""What a landing page shows, built from one published-data record and its public datasets:
the citation (DataCite's recommended form) and schema.org JSON-LD for search engines
(Google Dataset Search reads ``@type: Dataset`` with name, description, creator, identifier)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .settings import PageConfig


def human_size(size: Any) -> str:
    if isinstance(size, bool) or not isinstance(size, (int, float)) or size < 0:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if value < 1000 or unit == "PB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return ""


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [str(v) for v in items if isinstance(v, (str, int, float)) and str(v).strip()]


@dataclass
class FileRow:
    path: str
    size: str


@dataclass
class DatasetView:
    pid: str
    name: str
    description: str
    link: str | None
    public: bool
    files: list[FileRow] = field(default_factory=list)
    more_files: int = 0
    size: str = ""


@dataclass
class PublicationView:
    doi: str
    doi_url: str
    title: str
    creators: list[str]
    publisher: str
    year: str
    abstract: str
    data_description: str
    affiliation: str
    resource_type: str
    related: list[str]
    size: str
    datasets: list[DatasetView]
    citation: str
    json_ld: str


def _dataset_views(pids: list[str], found: dict[str, tuple[dict[str, Any], list[Any]]],
                   config: PageConfig, files_per_dataset: int) -> list[DatasetView]:
    views = []
    for pid in pids:
        if pid not in found:
            views.append(DatasetView(pid, pid, "", None, False))
            continue
        dataset, blocks = found[pid]
        rows = [FileRow(str(f.get("path")), human_size(f.get("size")))
                for block in blocks if isinstance(block, dict)
                for f in block.get("dataFileList") or [] if isinstance(f, dict)]
        link = (f"{config.scicatBaseUrl.rstrip('/')}/datasets/{quote(pid, safe='')}"
                if config.scicatBaseUrl else None)
        views.append(DatasetView(
            pid, str(dataset.get("datasetName") or pid), str(dataset.get("description") or ""),
            link, True, rows[:files_per_dataset], max(0, len(rows) - files_per_dataset),
            human_size(dataset.get("size")),
        ))
    return views


def citation(creators: list[str], year: str, title: str, publisher: str, doi_url: str) -> str:
    names = "; ".join(creators) if creators else publisher
    return f"{names} ({year or 'n.d.'}). {title}. {publisher}. {doi_url}".replace(" .", ".")


def json_ld(record: dict[str, Any], view: PublicationView, page_url: str) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": view.doi_url,
        "identifier": view.doi_url,
        "url": page_url,
        "name": view.title,
        "description": view.abstract or view.data_description or view.title,
        "creator": [{"@type": "Person", "name": name,
                     **({"affiliation": {"@type": "Organization", "name": view.affiliation}}
                        if view.affiliation else {})}
                    for name in view.creators],
        "publisher": {"@type": "Organization", "name": view.publisher},
        "isAccessibleForFree": True,
        "hasPart": [{"@type": "Dataset", "identifier": d.pid, "name": d.name,
                     **({"url": d.link} if d.link else {})}
                    for d in view.datasets if d.public],
    }
    if view.year:
        data["datePublished"] = view.year
    if view.related:
        data["citation"] = view.related
    if isinstance(record.get("sizeOfArchive"), (int, float)):
        data["size"] = view.size
    # "</" would end the script element early; JSON allows the escaped form.
    return json.dumps(data, ensure_ascii=False, indent=2).replace("</", "<\\/")


def build_view(record: dict[str, Any], found: dict[str, tuple[dict[str, Any], list[Any]]],
               config: PageConfig, page_url: str, files_per_dataset: int) -> PublicationView:
    doi = str(record["doi"])
    doi_url = f"{config.doiBaseUrl}{doi}" if config.doiBaseUrl else doi
    creators = _strings(record.get("creator"))
    year = str(record.get("publicationYear") or "")
    title = str(record.get("title") or doi)
    publisher = str(record.get("publisher") or config.facility)
    view = PublicationView(
        doi=doi, doi_url=doi_url, title=title, creators=creators, publisher=publisher,
        year=year, abstract=str(record.get("abstract") or ""),
        data_description=str(record.get("dataDescription") or ""),
        affiliation=str(record.get("affiliation") or ""),
        resource_type=str(record.get("resourceType") or ""),
        related=_strings(record.get("relatedPublications")),
        size=human_size(record.get("sizeOfArchive")),
        datasets=_dataset_views(_strings(record.get("pidArray")), found, config,
                                files_per_dataset),
        citation=citation(creators, year, title, publisher, doi_url), json_ld="",
    )
    view.json_ld = json_ld(record, view, page_url)
    return view
