"""One proposal's changes into SciCat: the sync's graph and mapping, loaded for the changed records only.

The rows read for the changes (:func:`.changed.read_changed`) are built into the facility
graph and mapped exactly as ``sync`` does; then only what the changes touch is loaded
with the same idempotent :class:`~scicatlive.seeding.load.ScicatLoader`:

* a changed collection's raw dataset with its origdatablock, and its processing runs'
  derived datasets; a changed run's derived dataset (and its raw dataset when missing);
* the proposal, and the samples (puck, dewar, shipment, crystal) this follower has not
  loaded before — once per follower, so samples added to ISPyB follow too;
* instruments of beamlines not seen before.

A record that already exists and whose source changed (a session → its proposal's
measurement periods; a collection → its raw dataset; a run → its derived dataset) is
compared field by field with what the mapping gives now, and what differs is PATCHed.
``isPublished`` is left alone: publishing is a catalogue decision. Origdatablocks of
existing datasets are not replaced (a collection is mapped once it has finished, see
``sync.graph.running``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.http import ApiError, AsyncSession, Call, json_body
from scicatlive.clients.target import Target
from scicatlive.defaults import DEFAULT_ACCOUNT
from scicatlive.domain import model as m
from scicatlive.errors import ConfigError
from scicatlive.mapping import Identifiers, MappingOptions, map_graph
from scicatlive.mapping import payloads as sc
from scicatlive.mapping.datasets import collections_of
from scicatlive.mapping.graph import ProposalRecords
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.seeding.load import ScicatLoader
from scicatlive.seeding.run import account_password
from scicatlive.sync.beamlines import References
from scicatlive.sync.changed import ProposalChanges, read_changed
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.graph import build_graph
from scicatlive.sync.rows import ProposalRows

# Fields the follower never rewrites on an existing dataset.
NOT_UPDATED = frozenset({"pid", "type", "proposalId", "isPublished"})
# What sessions give a proposal (its other fields, e.g. its members, ISPyB serves less of than a seed knew).
FROM_SESSIONS = frozenset({"startTime", "endTime", "MeasurementPeriodList", "instrumentIds", "accessGroups"})
# ISPyB keeps single-precision floats (as the consistency checks compare).
RELATIVE_TOLERANCE = 1e-5


@dataclass
class Applied:
    """What one proposal's changes did in SciCat."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    lags: dict[str, list[float]] = field(default_factory=lambda: {"raw": [], "derived": []})

    def add(self, other: Applied) -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)
        for kind, values in other.lags.items():
            self.lags.setdefault(kind, []).extend(values)


@dataclass
class Selection:
    """The raw and derived datasets a proposal's changes touch, and when their sources were written."""

    changed_raw: dict[str, datetime] = field(default_factory=dict, metadata={"doc": "pid -> collection endTime"})
    changed_derived: dict[str, datetime] = field(default_factory=dict, metadata={"doc": "pid -> processingEndTime"})
    needed_raw: set[str] = field(default_factory=set, metadata={"doc": "input datasets of changed runs"})


class ChangeLoader:
    """Loads proposals' changes into one SciCat backend; lives as long as its follower."""

    def __init__(
        self, scicat: AsyncSession, facts: FacilityFacts, options: MappingOptions, reporter: Reporter | None = None
    ) -> None:
        self.scicat, self.facts, self.options = scicat, facts, options
        self.reporter = reporter or SilentReporter()
        self.loader = ScicatLoader(scicat, SilentReporter())
        self.ids = Identifiers(facts.site, options.pid_prefix)
        self.known_samples: set[str] = set()
        self.known_proposals: set[str] = set()

    async def apply(self, rows: ProposalRows, changed: ProposalChanges, references: References | None = None) -> Applied:
        graph = build_graph([rows], self.facts, self.reporter, references)
        if not graph.proposals:
            return Applied()
        records = map_graph(graph, self.options)
        chosen = self.select(graph.proposals[0], rows, changed)
        proposal = records.proposals[0]
        await self.loader.instruments([i for i in records.instruments if i.pid not in self.loader.instrument_pids])
        existing = await self._existing_datasets([*chosen.changed_raw, *chosen.changed_derived])
        applied = Applied()
        if changed.sessions:
            applied.updated["proposals"] += await self._update_proposal(proposal)
        datasets: list[sc.RawDataset | sc.DerivedDataset] = [*records.raw_datasets, *records.derived_datasets]
        for dataset in (d for d in datasets if d.pid in existing):
            applied.updated[f"{dataset.type} datasets"] += await self._update_dataset(dataset, existing[dataset.pid])
        await self._load(records, chosen, proposal)
        created_at = datetime.now(UTC)
        for kind, written in (("raw", chosen.changed_raw), ("derived", chosen.changed_derived)):
            new = [pid for pid in written if pid not in existing]
            applied.created[f"{kind} datasets"] += len(new)
            applied.lags[kind] += [(created_at - _utc(written[pid])).total_seconds() for pid in new]
        return applied

    def select(self, record: m.Proposal, rows: ProposalRows, changed: ProposalChanges) -> Selection:
        keys = {
            int(row["dataCollectionId"]): f"{row['imageDirectory']}{row['imagePrefix']}_{row['dataCollectionNumber']}"
            for row in rows.collections
        }
        changed_keys = {keys[dc] for dc in changed.collections if dc in keys}
        run_keys = {
            (keys[dc], str(run["processingPrograms"]))
            for run_id, dc in changed.programs.items() if dc in keys
            for run in rows.programs.get(dc, []) if int(run["autoProcProgramId"]) == run_id
        }  # fmt: skip
        chosen = Selection()
        for _, _, _, _, collection in collections_of(record):
            raw = self.ids.raw_dataset(collection)
            if collection.natural_key in changed_keys:
                chosen.changed_raw[raw] = collection.endTime
            for program in collection.autoProcPrograms:
                if collection.natural_key in changed_keys or (collection.natural_key, program.processingPrograms) in run_keys:
                    chosen.changed_derived[self.ids.derived_dataset(collection, program)] = program.processingEndTime
                    chosen.needed_raw.add(raw)
        return chosen

    async def _load(self, records: sc.SciCatPayloads, chosen: Selection, proposal: sc.Proposal) -> None:
        raw_pids = set(chosen.changed_raw) | chosen.needed_raw
        raw = [d for d in records.raw_datasets if d.pid in raw_pids]
        derived = [d for d in records.derived_datasets if d.pid in chosen.changed_derived]
        loaded = {d.pid for d in raw} | {d.pid for d in derived}
        batch = ProposalRecords(
            proposals=[] if proposal.proposalId in self.known_proposals else [proposal],
            samples=[s for s in records.samples if s.sampleId not in self.known_samples],
            raw_datasets=raw,
            derived_datasets=derived,
            origdatablocks=[b for b in records.origdatablocks if b.datasetId in loaded],
            attachments=[a for a in records.attachments if a.relationships[0].targetId in loaded],
        )
        await self.loader.batch(batch)
        self.known_proposals.add(proposal.proposalId)
        self.known_samples.update(s.sampleId for s in batch.samples)

    async def _existing_datasets(self, pids: list[str]) -> dict[str, dict[str, Any]]:
        if not pids:
            return {}
        found = await self.scicat.run(find_datasets(pids))
        return {str(d["pid"]): d for d in found or []}

    async def _update_proposal(self, proposal: sc.Proposal) -> int:
        """Its measurement periods and times when they changed (a missing one is created later)."""
        try:
            found = await self.scicat.run(get_proposal(proposal.proposalId))
        except ApiError as error:
            if error.status == 404:
                return 0
            raise
        mapped = self.loader._relink(proposal.body())  # the backend's instrument pids
        changes = differences({k: v for k, v in mapped.items() if k in FROM_SESSIONS}, found or {})
        if not found or not changes:
            return 0
        await self.scicat.run(patch_proposal(proposal.proposalId, changes))
        return 1

    async def _update_dataset(self, dataset: sc.RawDataset | sc.DerivedDataset, found: dict[str, Any]) -> int:
        changes = differences(self.loader._relink(dataset.body()), found)  # the backend's instrument pids
        if not changes:
            return 0
        await self.scicat.run(patch_dataset(dataset.pid, changes))
        return 1


async def sync_changes(
    target: Target, changes: list[ProposalChanges], *, account: str = DEFAULT_ACCOUNT,
    facility: FacilityFacts | None = None, transport: httpx.AsyncBaseTransport | None = None,
) -> Applied:  # fmt: skip
    """Map these changes into SciCat once, as a follower would (for a writer that does not
    wait for one, e.g. a check that wrote a collection on a stack that does not follow)."""
    if target.ispyb_url is None:
        raise ConfigError("--ispyb-url", "mapping ISPyB's changes needs ISPyB")
    password = account_password(target, account)
    facts = facility or FacilityFacts(site=target.site)
    applied = Applied()
    async with (
        AsyncSession(target.ispyb_url, service=ispyb_api.SERVICE, transport=transport) as ispyb,
        AsyncSession(target.backend_url, service=scicat_api.SERVICE, transport=transport) as scicat,
    ):
        await ispyb.login(ispyb_api.login(account, password))
        await scicat.login(scicat_api.login(account, password))
        loader = ChangeLoader(scicat, facts, MappingOptions(pid_prefix=target.seeding_pid_prefix))
        for changed in changes:
            applied.add(await loader.apply(await read_changed(ispyb, changed), changed))
    return applied


def differences(expected: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``expected`` whose value ``found`` does not hold (the backend may add more).

    SciCat stores a ``sourceFolder`` without its trailing slash.
    """
    changed = {}
    for key, value in expected.items():
        have = found.get(key)
        if key == "sourceFolder" and isinstance(value, str) and isinstance(have, str):
            value, have = value.rstrip("/"), have.rstrip("/")
        if key not in NOT_UPDATED and not holds(value, have):
            changed[key] = expected[key]
    return changed


def holds(expected: Any, found: Any) -> bool:
    """``found`` carries ``expected``: dicts may hold more keys (SciCat adds valueSI, unitSI),
    instants may be spelled differently, and numbers may come back as floats."""
    if isinstance(expected, dict):
        return isinstance(found, dict) and all(holds(v, found.get(k)) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(found, list) and len(found) == len(expected) and all(map(holds, expected, found))
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected is found
    if isinstance(expected, int | float) and isinstance(found, int | float):
        return math.isclose(expected, found, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-9)
    if isinstance(expected, str) and isinstance(found, str) and expected != found:
        return _instant(expected) is not None and _instant(expected) == _instant(found)
    return bool(expected == found)


def _instant(text: str) -> datetime | None:
    if len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        return _utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    """ISPyB's times are naive UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def find_datasets(pids: list[str]) -> Call[Any]:
    query = scicat_api.filter_param(where={"pid": {"inq": pids}}, limits={"limit": len(pids)})
    return Call(f"find {len(pids)} datasets", "GET", f"{scicat_api.V3}/datasets", json_body, params=query)


def get_proposal(proposal_id: str) -> Call[Any]:
    path = f"{scicat_api.V3}/proposals/{scicat_api.encode_pid(proposal_id)}"
    return Call(f"read proposal {proposal_id}", "GET", path, json_body)


def patch_proposal(proposal_id: str, changes: dict[str, Any]) -> Call[Any]:
    path = f"{scicat_api.V3}/proposals/{scicat_api.encode_pid(proposal_id)}"
    return Call(f"update proposal {proposal_id} ({', '.join(changes)})", "PATCH", path, json_body, json=changes)


def patch_dataset(pid: str, changes: dict[str, Any]) -> Call[Any]:
    path = f"{scicat_api.V3}/datasets/{scicat_api.encode_pid(pid)}"
    return Call(f"update dataset {pid} ({', '.join(changes)})", "PATCH", path, json_body, json=changes)
