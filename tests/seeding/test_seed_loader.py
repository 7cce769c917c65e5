"""The loader's failures are loud and precise: entity, id and the server's message."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import httpx
import pytest
from pydantic import SecretStr

from scicatlive.clients.http import ApiError, RetryPolicy, Unreachable
from scicatlive.clients.target import Account, Target
from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.seeding import generate, load_recipe
from scicatlive.seeding.load import Tally, sample_levels
from scicatlive.seeding.run import seed

FAST = RetryPolicy(attempts=3, first_delay=0.001, max_delay=0.002)
TARGET = Target(backend_url="http://scicat.test", accounts={"admin": Account(password=SecretStr("pw"))})


def _records():  # type: ignore[no-untyped-def]
    return map_graph(generate(load_recipe("tiny")), MappingOptions())


ID_FIELDS = {
    "/instruments": "pid", "/proposals": "proposalId", "/samples": "sampleId",
    "/datasets": "pid", "/origdatablocks": "datasetId", "/attachments": "aid", "/publisheddata": "doi",
}


class FakeScicat:
    """Just enough of SciCat to load into: stores by id, answers 409 on duplicates; published
    data as upstream v5.2.1's v3 routes (no 409: a duplicate DOI is a 500; register, or 424
    from a backend that cannot reach DataCite)."""

    def __init__(self, reject_pid: str | None = None, flaky: int = 0, datacite: bool = True) -> None:
        self.store: dict[str, dict[str, object]] = {}
        self.reject_pid = reject_pid
        self.flaky = flaky
        self.datacite = datacite
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.flaky:
            self.flaky -= 1
            return httpx.Response(503, json={"message": "restarting"})
        path = request.url.path
        if path.endswith("/auth/login"):
            return httpx.Response(201, json={"access_token": "t", "id": "t"})
        if "/publisheddata/" in path:
            return self._published(request, unquote(request.url.raw_path.decode().split("/publisheddata/")[1]))
        if request.method == "GET" and path.endswith("/origdatablocks"):
            pid = unquote(request.url.raw_path.decode().split("/")[-2])
            block = self.store.get(f"origdatablock of {pid}")
            return httpx.Response(200, json=[block] if block else [])
        if request.method == "GET" and path.endswith("/instruments"):
            wanted = json.loads(request.url.params["filter"])["where"]["uniqueName"]
            return httpx.Response(200, json=[b for b in self.store.values() if b.get("uniqueName") == wanted])
        body = json.loads(request.content or b"{}")
        id_field = next(field for suffix, field in ID_FIELDS.items() if path.endswith(suffix))
        key = str(body[id_field])
        if key == self.reject_pid:
            return httpx.Response(400, json={"statusCode": 400, "message": ["sourceFolder must be a string"]})
        if id_field == "datasetId":
            key = f"origdatablock of {key}"
        if key in self.store:
            return httpx.Response(409, json={"message": f"{key} already exists"})
        if id_field == "doi":
            body["status"] = "pending_registration"
        self.store[key] = body
        return httpx.Response(201, json={**body, "pid": body.get("pid", key)})

    def _published(self, request: httpx.Request, rest: str) -> httpx.Response:
        doi = rest.removesuffix("/register")
        self.calls.append(f"{request.method} {rest}")
        record = self.store.get(doi)
        if record is None:
            return httpx.Response(404, json={"message": f"No PublishedData with the id '{doi}' exists"})
        if request.method == "GET":
            return httpx.Response(200, json=record)
        if rest.endswith("/register"):
            if not self.datacite:
                return httpx.Response(424, json={"message": "Error occurred: getaddrinfo ENOTFOUND"})
            record["status"] = "registered"
            return httpx.Response(201, json={"doi": doi})
        record.update(json.loads(request.content))  # PATCH
        return httpx.Response(200, json=record)


def _load(fake: FakeScicat) -> dict[str, Tally]:
    return seed(TARGET, "tiny", retry=FAST, transport=httpx.MockTransport(fake)).scicat


def test_everything_is_created_once_then_found_again() -> None:
    fake = FakeScicat()
    first = _load(fake)
    records = _records()
    assert first["raw datasets"].created == len(records.raw_datasets)
    assert first["samples"].created == len(records.samples)
    assert first["published data"].created == len(records.published_data) == 2
    assert all(fake.store[r.doi]["status"] == "registered" for r in records.published_data)
    second = _load(fake)
    assert all(t.created == 0 for k, t in second.items() if k not in ("origdatablocks", "attachments"))
    assert second["published data"].existing == 2
    assert not any(call.endswith("/register") for call in fake.calls[-2:])  # found registered: left alone


def test_published_data_are_registered_in_the_catalogue_when_datacite_is_out_of_reach() -> None:
    fake = FakeScicat(datacite=False)
    _load(fake)
    for record in _records().published_data:
        assert fake.store[record.doi]["status"] == "registered"
        assert str(fake.store[record.doi]["registeredTime"]).endswith("Z")
    assert sum(call.startswith("PATCH") for call in fake.calls) == 2


def test_a_rejected_payload_names_entity_id_and_server_message() -> None:
    pid = _records().raw_datasets[3].pid
    with pytest.raises(ApiError) as caught:
        _load(FakeScicat(reject_pid=pid))
    assert str(caught.value) == f"create raw dataset {pid}: 400 Bad Request: [\"sourceFolder must be a string\"]"


def test_server_errors_are_retried() -> None:
    fake = FakeScicat(flaky=2)
    assert _load(fake)["proposals"].created == 2


def test_an_unreachable_service_is_reported_with_the_operation() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(Unreachable) as caught:
        seed(TARGET, "tiny", retry=FAST, transport=httpx.MockTransport(refuse))
    assert re.match(
        r"log in to SciCat as admin: SciCat at http://scicat.test did not answer within \d+\.\d s "
        r"\(ConnectError: connection refused\)$",
        caught.value.message,
    )
    assert "scicatlive status" in (caught.value.hint or "")


def test_the_retry_budget_is_bounded_in_time() -> None:
    calls: list[float] = []

    def down(request: httpx.Request) -> httpx.Response:
        import time

        calls.append(time.monotonic())
        return httpx.Response(503, json={"message": "database unavailable"})

    budget = RetryPolicy(deadline=0.5, first_delay=0.05, max_delay=0.1)
    with pytest.raises(Unreachable, match=r"did not answer within 0\.\d s \(503 database unavailable\)"):
        seed(TARGET, "tiny", retry=budget, transport=httpx.MockTransport(down))
    assert 3 <= len(calls) and calls[-1] - calls[0] <= 0.5


def test_sample_parents_come_in_earlier_levels() -> None:
    levels = sample_levels(_records().samples)
    seen: set[str] = set()
    for level in levels:
        for sample in level:
            assert sample.parentSampleId is None or sample.parentSampleId in seen
        seen |= {s.sampleId for s in level}
    assert len(levels) == 4  # shipment, dewar, puck, crystal
