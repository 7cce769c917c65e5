"""`sync` against the real services in-process: the ISPyB mock on MariaDB, scicat-lite on PostgreSQL.

Each test gets empty databases and its own servers (uvicorn in a thread), so
SciCat's answers (created / already there) are exactly those of the test.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients.http import AsyncSession
from scicatlive.clients.ispyb import ISPYB_API
from scicatlive.clients.target import Account, Target
from scicatlive.mapping import MappingOptions, SciCatPayloads, map_graph
from scicatlive.profiles.model import Account as ProfileAccount
from scicatlive.seeding import FacilityGraph, Recipe
from scicatlive.seeding.ispyb_load import IspybLoader
from scicatlive.seeding.run import seed
from scicatlive.sync import FacilityFacts, read_facility, sync
from tests.support.lite import ispyb_mock, scicat_lite

pytestmark = pytest.mark.database

PID_PREFIX = "20.500.12269"
ACCOUNT = "seeder"
SEEDER = (
    ProfileAccount(username=ACCOUNT, email="seeder@example.org", groups=["admin"],
                   ispyb_permissions=["all_proposals", "manage_proposals"]),
)  # fmt: skip


@dataclass(frozen=True)
class Running:
    url: str
    password: str


@pytest.fixture
def password() -> str:
    """The seeder's password on both services, as a stack gives one account one password."""
    return secrets.token_urlsafe(12)


@pytest.fixture
def ispyb(mariadb_server: str, tmp_path: Path, password: str) -> Iterator[Running]:
    """The ISPyB mock on a scratch MariaDB database; account ``seeder`` may read and write all."""
    with ispyb_mock(mariadb_server, tmp_path, SEEDER, {ACCOUNT: password}) as url:
        yield Running(url, password)


@pytest.fixture
def scicat(postgres_server: str, tmp_path: Path, password: str) -> Iterator[Running]:
    """scicat-lite on a scratch PostgreSQL database; account ``seeder`` is an admin."""
    with scicat_lite(postgres_server, tmp_path, SEEDER, {ACCOUNT: password}, PID_PREFIX=PID_PREFIX) as url:
        yield Running(url, password)


def _target(scicat: Running | None, ispyb: Running) -> Target:
    return Target(
        backend_url=scicat.url if scicat else "http://unused.invalid",
        ispyb_url=ispyb.url,
        accounts={ACCOUNT: Account(password=SecretStr(ispyb.password))},
        pid_prefix=PID_PREFIX,
    )


async def _load_into_ispyb(target: Target, graph: FacilityGraph) -> None:
    assert target.ispyb_url is not None
    async with AsyncSession(target.ispyb_url, concurrency=4) as http:
        await http.login(ispyb_api.login(ACCOUNT, target.password(ACCOUNT)))
        loader = IspybLoader(http, graph)
        for proposal in graph.proposals:
            await loader.load(proposal)


def _ids(payloads: SciCatPayloads) -> dict[str, set[str]]:
    return {
        "instruments": {i.pid for i in payloads.instruments},
        "proposals": {p.proposalId for p in payloads.proposals},
        "samples": {s.sampleId for s in payloads.samples},
        "raw datasets": {d.pid for d in payloads.raw_datasets},
        "derived datasets": {d.pid for d in payloads.derived_datasets},
        "origdatablocks": {b.datasetId for b in payloads.origdatablocks},
        "sample links": {f"{d.pid}->{d.sampleId}" for d in payloads.raw_datasets},
        "inputs": {f"{d.pid}<-{d.inputDatasets[0]}" for d in payloads.derived_datasets},
    }


# -- (1) read-back gives the generated ids -------------------------------------------------------


def test_read_back_graph_maps_to_the_generated_ids(
    ispyb: Running, tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    target = _target(None, ispyb)
    asyncio.run(_load_into_ispyb(target, tiny_graph))
    facts = FacilityFacts.from_recipe(tiny_recipe)
    read = asyncio.run(read_facility(target, facts, account=ACCOUNT))
    for layout in ("hierarchical", "flat"):
        options = MappingOptions(pid_prefix=PID_PREFIX, sample_layout=layout)
        generated, synced = map_graph(tiny_graph, options), map_graph(read, options)
        assert _ids(synced) == _ids(generated), layout
        assert [p.sampleId for p in synced.samples] == [p.sampleId for p in generated.samples]
    # The graph itself: ISPyB's data come back unchanged, catalogue-only facts derived.
    assert [p.proposal for p in read.proposals] == [p.proposal for p in tiny_graph.proposals]
    assert [p.externalId for p in read.proposals] == [p.externalId for p in tiny_graph.proposals]
    generated_dcs = {c.natural_key: c for c in tiny_graph.data_collections()}
    for collection in read.data_collections():
        original = generated_dcs[collection.natural_key]
        assert [f.fileName for f in collection.files] == [f.fileName for f in original.files]
        assert collection.published is False
        assert [p.processingPrograms for p in collection.autoProcPrograms] == [
            p.processingPrograms for p in original.autoProcPrograms
        ]
    assert read.beamlines == [
        b.model_copy(update={"energyMin": r.energyMin, "energyMax": r.energyMax})
        for b, r in zip(tiny_graph.beamlines, read.beamlines, strict=True)
    ]
    # ISPyB keeps no log text, so sync makes no attachments (seed's stay as they are).
    assert map_graph(read, MappingOptions(pid_prefix=PID_PREFIX)).attachments == []


# -- (2) seed, then sync: nothing new -------------------------------------------------------------


def test_sync_after_seed_creates_nothing(
    ispyb: Running, scicat: Running, tiny_recipe: Recipe
) -> None:
    target = _target(scicat, ispyb)
    seeded = seed(target, tiny_recipe, account=ACCOUNT)
    synced = sync(target, account=ACCOUNT, facility=FacilityFacts.from_recipe(tiny_recipe))
    assert {kind: tally.created for kind, tally in synced.scicat.items()} == dict.fromkeys(
        seeded.scicat, 0
    )
    for kind, tally in seeded.scicat.items():
        # Sync publishes nothing (publication is a catalogue decision): no published data either.
        expected = 0 if kind in ("attachments", "published data") else tally.total
        assert synced.scicat[kind].existing == expected, kind
    assert sync(target, account=ACCOUNT).scicat == synced.scicat  # the defaults are the bundled recipes' facility


# -- (3) new data in ISPyB: exactly its records ---------------------------------------------------


def test_sync_creates_exactly_the_records_of_new_data(
    ispyb: Running, scicat: Running, tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    target = _target(scicat, ispyb)
    seed(target, tiny_recipe, account=ACCOUNT)
    programs = ["xia2 dials", "fast_dp"]
    _add_collection(ispyb, tiny_graph, programs)
    synced = sync(target, account=ACCOUNT)
    created = {kind: tally.created for kind, tally in synced.scicat.items()}
    assert created == {
        "instruments": 0,
        "proposals": 0,
        "samples": 0,
        "raw datasets": 1,
        "derived datasets": len(programs),
        "origdatablocks": 1 + len(programs),
        "attachments": 0,
        "published data": 0,
    }
    again = sync(target, account=ACCOUNT)
    assert all(tally.created == 0 for tally in again.scicat.values())
    with httpx.Client(base_url=scicat.url, timeout=30) as client:
        token = client.post(
            "/api/v3/auth/login", json={"username": ACCOUNT, "password": scicat.password}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        where = json.dumps({"where": {"datasetName": "sync-new_99"}})
        found = client.get("/api/v3/datasets", params={"filter": where}, headers=headers).json()
    assert len(found) == 1 and found[0]["isPublished"] is False


def _add_collection(ispyb: Running, graph: FacilityGraph, programs: list[str]) -> None:
    """One more data collection of the first collected sample, with a processing run per program."""
    proposal = next(p for p in graph.proposals if any(True for _ in p.samples()))
    container, sample = next((c, s) for c, s in proposal.samples() if s.dataCollectionGroups)
    original = sample.dataCollectionGroups[0].dataCollections[0]
    start = original.endTime + timedelta(hours=1)
    end = start + timedelta(seconds=40)
    with httpx.Client(base_url=f"{ispyb.url}{ISPYB_API}", timeout=30) as client:
        login = client.post(
            "/auth/login", json={"plugin": "dummy", "login": ACCOUNT, "password": ispyb.password}
        )
        client.headers["Authorization"] = f"Bearer {login.json()['token']}"
        sessions = client.get("/sessions", params={"proposal": proposal.proposal}).json()["results"]
        session_id = next(
            s["sessionId"]
            for s in sessions
            if s["visit_number"] == sample.dataCollectionGroups[0].session
        )
        samples = client.get(
            "/samples", params={"proposal": proposal.proposal, "limit": 1000}
        ).json()["results"]
        sample_id = next(
            s["blSampleId"]
            for s in samples
            if s["Container"]["barcode"] == container.barcode and s["location"] == sample.location
        )
        group = _post(client, "/datacollections/groups", {
            "sessionId": session_id, "blSampleId": sample_id, "experimentType": "OSC",
            "startTime": start.isoformat(), "endTime": end.isoformat(),
        })  # fmt: skip
        columns = original.model_dump(
            mode="json",
            exclude={
                "files",
                "published",
                "autoProcPrograms",
                "imagePrefix",
                "dataCollectionNumber",
            },
        )
        collection = _post(client, "/datacollections", {
            **columns, "dataCollectionGroupId": group["dataCollectionGroupId"], "imagePrefix": "sync-new",
            "dataCollectionNumber": 99, "fileTemplate": "sync-new_99_master.h5",
            "startTime": start.isoformat(), "endTime": end.isoformat(), "runStatus": "Data collection successful",
        })  # fmt: skip
        template = next(p for p in graph.processing_programs() if p.succeeded)
        for program in programs:
            body = template.model_dump(mode="json", exclude={"attachments"})
            _post(client, "/processings/auto-integrations", {
                **body, "dataCollectionId": collection["dataCollectionId"], "processingPrograms": program,
                "attachments": [
                    {"fileType": "Log", "fileName": f"{program}.log", "filePath": "/data/process/sync-new/"},
                    {"fileType": "Result", "fileName": "sync-new_99_free.mtz", "filePath": "/data/process/sync-new/"},
                ],
            })  # fmt: skip


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = client.post(path, json=body)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result
