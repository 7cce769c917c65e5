"""ISPyB's rows → the facility graph the generator produces (pure: no I/O)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from scicatlive.domain import model as m
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.sync.beamlines import References, beamlines
from scicatlive.sync.build import build_model, principal, running
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.proposal import ProposalBuilder
from scicatlive.sync.rows import ProposalRows


def build_graph(
    rows: Sequence[ProposalRows],
    facts: FacilityFacts,
    reporter: Reporter | None = None,
    references: References | None = None,
) -> m.FacilityGraph:
    """The facility graph of ISPyB's rows (pure: no I/O); ``references``: each beamline's
    reference collections (:func:`scicatlive.sync.beamlines.read_references`)."""
    note = (reporter or SilentReporter()).step
    usable = []
    for proposal in rows:
        if proposal.sessions:
            usable.append(_finished_only(proposal, note))
        else:
            note(f"ISPyB proposal {proposal.name} has no session yet: left out")
    bare = {key: value for proposal in usable for key, value in _bare_collections(proposal).items()}
    found = beamlines(usable, bare, references)
    proposals = [ProposalBuilder(p, facts, bare, found, note).proposal() for p in usable]
    persons = {p.login: p for p in (principal(row.proposal, facts) for row in usable)}
    return m.FacilityGraph(
        recipe="sync",
        seed=0,
        facility=m.Facility(name=facts.name, site=facts.site, dataRoot=facts.data_root),
        staffGroup=facts.staff_group,
        beamlines=list(found.values()),
        persons=list(persons.values()),
        staff=[],
        proposals=proposals,
    )


def _finished_only(rows: ProposalRows, note: Callable[[str], None]) -> ProposalRows:
    """The rows without collections still running (a later sync maps them, finished)."""
    active = [c for c in rows.collections if running(c)]
    if not active:
        return rows
    for collection in active:
        note(f"ISPyB data collection {collection['dataCollectionId']} of {rows.name} is still running: left out")
    return dataclasses.replace(rows, collections=[c for c in rows.collections if not running(c)])


def _bare_collections(rows: ProposalRows) -> dict[int, tuple[str, m.DataCollection]]:
    """Each collection without its files and processing, with its session's beamline."""
    beamline_of = {int(s["sessionId"]): str(s.get("beamLineName")) for s in rows.sessions}
    bare = {}
    for row in rows.collections:
        dc_id = int(row["dataCollectionId"])
        collection = build_model(
            m.DataCollection, f"data collection {dc_id} of {rows.name}", row,
            files=[], published=False, autoProcPrograms=[],
        )  # fmt: skip
        bare[dc_id] = (beamline_of[int(row["DataCollectionGroup"]["sessionId"])], collection)
    return bare
