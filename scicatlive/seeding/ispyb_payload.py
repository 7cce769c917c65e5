"""A generated proposal as the ISPyB mock's ``POST /bulk/proposals`` body.

The graph already uses ISPyB's names and nesting; this only drops what ISPyB
does not store (the "catalogue only" facts) and spells people out in full.
"""

from __future__ import annotations

from typing import Any

from scicatlive.domain import model as ispyb

# Facts the graph carries for the catalogue; ISPyB keeps them on disk or nowhere.
_CATALOGUE_ONLY = {"files", "published", "content", "fileSize", "externalId"}


def bulk_proposal(graph: ispyb.FacilityGraph, proposal: ispyb.Proposal) -> dict[str, Any]:
    body: dict[str, Any] = _without_catalogue_facts(
        proposal.model_dump(mode="json", exclude={"personLogin", "members", "sessions"})
    )
    body["Person"] = _person(graph.person(proposal.personLogin))
    body["persons"] = [_person(graph.person(login)) for login in proposal.members if login != proposal.personLogin]
    body["sessions"] = [_session(graph, session) for session in proposal.sessions]
    return body


def _person(person: ispyb.Person) -> dict[str, Any]:
    return person.model_dump(mode="json", exclude={"externalId"})


def _session(graph: ispyb.FacilityGraph, session: ispyb.BLSession) -> dict[str, Any]:
    body = session.model_dump(mode="json", exclude={"externalId", "persons"})
    body["persons"] = [
        {**_person(graph.person(member.login)), "role": member.role, "remote": member.remote}
        for member in session.persons
    ]
    return body


def _without_catalogue_facts(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_catalogue_facts(v) for k, v in value.items() if k not in _CATALOGUE_ONLY}
    if isinstance(value, list):
        return [_without_catalogue_facts(item) for item in value]
    return value
