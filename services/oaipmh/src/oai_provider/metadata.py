"""The metadata formats: Dublin Core (oai_dc) and DataCite kernel 4 (datacite, oai_datacite).

Written into the library's record element with lxml's element API: the OAI-PMH envelope,
headers and errors are the ``oaipmh`` library's; these functions only fill ``<metadata>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml.etree import SubElement, _Element  # type: ignore[import-untyped]
from oaipmh.metadata import MetadataRegistry  # type: ignore[import-untyped]
from oaipmh.server import oai_dc_writer  # type: ignore[import-untyped]

from .records import PublishedRecord

NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_DATACITE = "http://datacite.org/schema/kernel-4"
DATACITE_SCHEMA = "http://schema.datacite.org/meta/kernel-4.4/metadata.xsd"
NS_OAI_DATACITE = "http://schema.datacite.org/oai/oai-1.1/"
OAI_DATACITE_SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"

FORMATS: list[tuple[str, str, str]] = [
    ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
     "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    ("datacite", DATACITE_SCHEMA, NS_DATACITE),
    ("oai_datacite", OAI_DATACITE_SCHEMA, NS_OAI_DATACITE),
]
PREFIXES = frozenset(prefix for prefix, _, _ in FORMATS)


@dataclass(frozen=True)
class RecordMetadata:
    """What the library hands the writers: the record, plus Dublin Core's field map."""

    record: PublishedRecord
    landing_page: str | None

    def getMap(self) -> dict[str, list[str]]:
        record = self.record
        identifiers = [record.doi] + ([self.landing_page] if self.landing_page else [])
        return {
            "title": [record.title] if record.title else [],
            "creator": record.creator,
            "contributor": record.authors,
            "description": [d for d in (record.abstract, record.dataDescription) if d],
            "publisher": [record.publisher] if record.publisher else [],
            "date": [str(record.publicationYear)] if record.publicationYear else [],
            "type": ["Dataset"],
            "identifier": identifiers,
            "relation": record.relatedPublications,
            "rights": ["info:eu-repo/semantics/openAccess"],
        }


def _text(parent: _Element, tag: str, text: str, **attributes: str) -> _Element:
    element = SubElement(parent, f"{{{NS_DATACITE}}}{tag}", attributes)
    element.text = text
    return element


def _resource(parent: _Element, metadata: RecordMetadata) -> None:
    record = metadata.record
    resource = SubElement(parent, f"{{{NS_DATACITE}}}resource",
                          nsmap={None: NS_DATACITE, "xsi": NS_XSI})
    resource.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_DATACITE} {DATACITE_SCHEMA}")
    _text(resource, "identifier", record.doi, identifierType="DOI")
    creators = SubElement(resource, f"{{{NS_DATACITE}}}creators")
    for name in record.creator or [record.publisher or "(:unav)"]:
        creator = SubElement(creators, f"{{{NS_DATACITE}}}creator")
        _text(creator, "creatorName", name)
        if record.affiliation:
            _text(creator, "affiliation", record.affiliation)
    titles = SubElement(resource, f"{{{NS_DATACITE}}}titles")
    _text(titles, "title", record.title or record.doi, **{f"{{{NS_XML}}}lang": "en"})
    _text(resource, "publisher", record.publisher or "(:unav)")
    _text(resource, "publicationYear",
          str(record.publicationYear or record.datestamp.year))
    _text(resource, "resourceType", record.resourceType or "Dataset",
          resourceTypeGeneral="Dataset")
    if record.authors:
        contributors = SubElement(resource, f"{{{NS_DATACITE}}}contributors")
        for name in record.authors:
            contributor = SubElement(contributors, f"{{{NS_DATACITE}}}contributor",
                                     contributorType="Researcher")
            _text(contributor, "contributorName", name)
    dates = SubElement(resource, f"{{{NS_DATACITE}}}dates")
    issued = record.registeredTime or record.createdAt
    if issued:
        _text(dates, "date", issued[:10], dateType="Issued")
    _text(dates, "date", record.datestamp.date().isoformat(), dateType="Updated")
    if metadata.landing_page:
        alternates = SubElement(resource, f"{{{NS_DATACITE}}}alternateIdentifiers")
        _text(alternates, "alternateIdentifier", metadata.landing_page,
              alternateIdentifierType="URL")
    if record.relatedPublications:
        related = SubElement(resource, f"{{{NS_DATACITE}}}relatedIdentifiers")
        for link in record.relatedPublications:
            kind = "DOI" if link.startswith("10.") else "URL"
            _text(related, "relatedIdentifier", link, relatedIdentifierType=kind,
                  relationType="IsReferencedBy")
    sizes = [f"{record.sizeOfArchive} bytes"] if record.sizeOfArchive else []
    sizes += [f"{record.numberOfFiles} files"] if record.numberOfFiles else []
    if sizes:
        element = SubElement(resource, f"{{{NS_DATACITE}}}sizes")
        for size in sizes:
            _text(element, "size", size)
    rights = SubElement(resource, f"{{{NS_DATACITE}}}rightsList")
    _text(rights, "rights", "Open Access", rightsURI="info:eu-repo/semantics/openAccess")
    descriptions = SubElement(resource, f"{{{NS_DATACITE}}}descriptions")
    if record.abstract:
        _text(descriptions, "description", record.abstract, descriptionType="Abstract")
    if record.dataDescription:
        _text(descriptions, "description", record.dataDescription, descriptionType="Other")


def datacite_writer(element: _Element, metadata: Any) -> None:
    _resource(element, metadata)


def oai_datacite_writer(element: _Element, metadata: Any) -> None:
    wrapper = SubElement(element, f"{{{NS_OAI_DATACITE}}}oai_datacite",
                         nsmap={None: NS_OAI_DATACITE, "xsi": NS_XSI})
    wrapper.set(f"{{{NS_XSI}}}schemaLocation", f"{NS_OAI_DATACITE} {OAI_DATACITE_SCHEMA}")
    SubElement(wrapper, f"{{{NS_OAI_DATACITE}}}schemaVersion").text = "4.4"
    payload = SubElement(wrapper, f"{{{NS_OAI_DATACITE}}}payload")
    _resource(payload, metadata)


def registry() -> MetadataRegistry:
    found = MetadataRegistry()
    found.registerWriter("oai_dc", oai_dc_writer)
    found.registerWriter("datacite", datacite_writer)
    found.registerWriter("oai_datacite", oai_datacite_writer)
    return found
