"""`sync` against the real services in-process: the ISPyB mock on MariaDB, scicat-lite on PostgreSQL.

Each test gets empty databases and its own servers (uvicorn in a thread), so
SciCat's answers (created / already there) are exactly those of the test.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url, text

from scicatlive.clients.http import AsyncApi
from scicatlive.clients.ispyb import API as ISPYB_API
from scicatlive.clients.ispyb import IspybApi
from scicatlive.mapping import MappingOptions, SciCatPayloads, map_graph
from scicatlive.progress import SilentReporter
from scicatlive.seeding import FacilityGraph, Recipe
from scicatlive.seeding.ispyb_reader import FacilityFacts
from scicatlive.seeding.load import load_ispyb
from scicatlive.seeding.run import Endpoint, SeedTarget, seed
from scicatlive.seeding.sync import read_ispyb, sync
from tests.support import free_port, required_env

pytestmark = pytest.mark.database

PID_PREFIX = "20.500.12269"
ACCOUNT = "seeder"


@dataclass(frozen=True)
class Running:
    url: str
    password: str


def _serve(app: Any) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def ispyb(tmp_path: Path) -> Iterator[Running]:
    """The ISPyB mock on a scratch MariaDB database; account ``seeder`` may read and write all."""
    from ispyb_mock.app import create_app
    from ispyb_mock.db import create_schema, make_engine
    from ispyb_mock.settings import Settings
    from ispyb_mock.users import Account, Accounts

    server_url = required_env("SCICATLIVE_TEST_MARIADB_URL")
    name = f"scicatlive_test_sync_{os.getpid()}_{secrets.token_hex(3)}"
    server = make_engine(server_url)
    with server.begin() as connection:
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    engine = make_engine(
        make_url(server_url).set(database=name).render_as_string(hide_password=False)
    )
    password = secrets.token_urlsafe(12)
    try:
        create_schema(engine)
        settings = Settings(
            database_url=str(engine.url),
            jwt_secret=secrets.token_hex(24),
            users_file=tmp_path / "users.json",
            site="SCICATLIVE",
        )
        accounts = Accounts(
            [
                Account(
                    login=ACCOUNT,
                    password=password,
                    permissions=("all_proposals", "manage_proposals"),
                )
            ]
        )
        yield from (
            Running(url, password) for url in _serve(create_app(settings, engine, accounts))
        )
    finally:
        engine.dispose()
        with server.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture
def scicat(tmp_path: Path) -> Iterator[Running]:
    """scicat-lite on a scratch PostgreSQL database; account ``seeder`` is an admin."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    server_url = required_env("SCICATLIVE_TEST_POSTGRES_URL")
    name = f"scicat_sync_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    password = secrets.token_urlsafe(12)
    accounts = tmp_path / "functionalAccounts.json"
    accounts.write_text(
        json.dumps(
            [
                {
                    "username": ACCOUNT,
                    "email": "seeder@example.org",
                    "password": password,
                    "role": "admin",
                    "global": False,
                }
            ]
        )
    )
    try:
        settings = Settings.from_env(
            {
                "DATABASE_URL": make_conninfo(**{**conninfo_to_dict(server_url), "dbname": name}),
                "JWT_SECRET": secrets.token_hex(16),
                "PID_PREFIX": PID_PREFIX,
                "FUNCTIONAL_ACCOUNTS_FILE": str(accounts),
                "ADMIN_GROUPS": "admin",
            }
        )
        yield from (Running(url, password) for url in _serve(create_app(settings)))
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _target(scicat: Running | None, ispyb: Running) -> SeedTarget:
    scicat_endpoint = (
        Endpoint(scicat.url, ACCOUNT, scicat.password)
        if scicat
        else Endpoint("http://unused", "-", "-")
    )
    return SeedTarget(
        scicat=scicat_endpoint,
        ispyb=Endpoint(ispyb.url, ACCOUNT, ispyb.password),
        pid_prefix=PID_PREFIX,
    )


async def _load_into_ispyb(target: SeedTarget, graph: FacilityGraph) -> None:
    assert target.ispyb is not None
    async with AsyncApi(target.ispyb.url, concurrency=4) as http:
        api = IspybApi(http)
        await api.login(target.ispyb.username, target.ispyb.password)
        await load_ispyb(api, graph, SilentReporter())


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
    read = asyncio.run(read_ispyb(target, facts, SilentReporter()))
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
    seeded = seed(target, tiny_recipe)
    synced = sync(target, facility=FacilityFacts.from_recipe(tiny_recipe))
    assert {kind: tally.created for kind, tally in synced.scicat.items()} == dict.fromkeys(
        seeded.scicat, 0
    )
    for kind, tally in seeded.scicat.items():
        expected = 0 if kind == "attachments" else tally.total
        assert synced.scicat[kind].existing == expected, kind
    assert sync(target).scicat == synced.scicat  # the defaults are the bundled recipes' facility


# -- (3) new data in ISPyB: exactly its records ---------------------------------------------------


def test_sync_creates_exactly_the_records_of_new_data(
    ispyb: Running, scicat: Running, tiny_recipe: Recipe, tiny_graph: FacilityGraph
) -> None:
    target = _target(scicat, ispyb)
    seed(target, tiny_recipe)
    programs = ["xia2 dials", "fast_dp"]
    _add_collection(ispyb, tiny_graph, programs)
    synced = sync(target)
    created = {kind: tally.created for kind, tally in synced.scicat.items()}
    assert created == {
        "instruments": 0,
        "proposals": 0,
        "samples": 0,
        "raw datasets": 1,
        "derived datasets": len(programs),
        "origdatablocks": 1 + len(programs),
        "attachments": 0,
    }
    again = sync(target)
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
