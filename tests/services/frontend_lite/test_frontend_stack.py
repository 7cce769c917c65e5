"""frontend-lite in its image, in a real lite stack seeded with ``tiny``, driven by headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from scicatlive import Stack
from scicatlive.clients.target import Target
from tests.support import docker_engine, environment

pytestmark = pytest.mark.docker
STACK = "hw-frontend"
PORT_OFFSET = 17000


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    engine = docker_engine()
    with environment(SCICATLIVE_STATE_DIR=str(tmp_path_factory.mktemp("frontend-state"))):
        handle = Stack("lite", name=STACK, port_offset=PORT_OFFSET, engine=engine)
        try:
            # In a thread of its own: Playwright's sync API keeps an event loop running in this
            # one (the browser fixture may be up already), and seeding uses asyncio.run().
            # Seeded through the APIs, not from the seed cache: a cached snapshot brings the
            # accounts of the stack that made it, whose passwords this stack does not know.
            with ThreadPoolExecutor(1) as pool:
                pool.submit(handle.up, timeout=600, seed=False).result()
                pool.submit(handle.seed, "tiny", cache=False).result()
            found = handle.target
            assert found.frontend_url, "the lite profile must have a frontend"
            yield found
        finally:
            handle.down(volumes=True)


@pytest.fixture
def stack_page(browser: Any, target: Target) -> Iterator[Any]:
    context = browser.new_context(
        base_url=target.frontend_url, viewport={"width": 1366, "height": 768}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()


def api(target: Target, username: str | None = "admin") -> httpx.Client:
    headers = {}
    if username:
        reply = httpx.post(
            f"{target.backend_url}/api/v3/auth/login",
            json={"username": username, "password": target.password(username)},
        )
        headers["Authorization"] = f"Bearer {reply.raise_for_status().json()['id']}"
    return httpx.Client(base_url=f"{target.backend_url}/api/v3", headers=headers, timeout=30)


def total(client: httpx.Client, fields: dict[str, Any]) -> int:
    reply = client.get(
        "/datasets/fullfacet", params={"fields": json.dumps(fields), "facets": "[]"}
    ).json()
    return int(reply[0]["all"][0]["totalSets"]) if reply[0]["all"] else 0


def log_in(page: Any, target: Target, username: str = "admin") -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(target.password(username))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("[data-testid=signed-in-user]")


def test_config_points_at_the_stack_backend(target: Target) -> None:
    for path in ("/config.json", "/assets/config.json"):
        config = httpx.get(f"{target.frontend_url}{path}").json()
        assert config["lbBaseURL"].rstrip("/") == target.backend_url


def test_filters_match_the_api(stack_page: Any, target: Target, screenshots: Path) -> None:
    page = stack_page
    page.goto("/datasets")
    with api(target, None) as anonymous:
        assert int(page.get_attribute("[data-testid=dataset-count]", "data-total")) == total(
            anonymous, {"isPublished": True}
        )
    log_in(page, target)
    with api(target) as client:
        assert int(page.get_attribute("[data-testid=dataset-count]", "data-total")) == total(
            client, {}
        )
        page.screenshot(path=str(screenshots / "stack-datasets.png"), full_page=True)
        keyword = next(
            v
            for v in page.eval_on_selector_all(
                "fieldset[data-facet=keyword] input", "els => els.map(e => e.value)"
            )
            if v != "MX"
        )
        page.get_by_label("Text").fill(keyword)
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**text=**")
        shown = int(page.get_attribute("[data-testid=dataset-count]", "data-total"))
        assert shown == total(client, {"text": keyword}) > 0
        page.locator("fieldset[data-facet=type] label.check", has_text="derived").locator(
            "input"
        ).check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**type=derived**")
        shown = int(page.get_attribute("[data-testid=dataset-count]", "data-total"))
        assert shown == total(client, {"text": keyword, "type": ["derived"]}) > 0


def test_dataset_and_its_proposal(stack_page: Any, target: Target, screenshots: Path) -> None:
    page = stack_page
    log_in(page, target)
    page.goto("/datasets?type=raw")
    first = page.locator("[data-testid=datasets-table] tbody tr").first
    pid = first.get_attribute("data-pid")
    first.locator("td.pid a").click()
    page.wait_for_selector("[data-testid=view-name]")
    with api(target) as client:
        dataset = client.get(f"/datasets/{quote(pid, safe='')}").json()
        # The seeded collection gets the bundled MX view, its processing runs in the table.
        assert page.get_attribute("[data-testid=view-name]", "data-view") == "mx-raw"
        runs = client.get(
            "/datasets", params={"filter": json.dumps({"where": {"inputDatasets": pid}})}
        ).json()
        shown = page.eval_on_selector_all(
            "[data-testid=processing-table] tbody", "g => g.map(x => x.dataset.pid)"
        )
        assert sorted(shown) == sorted(r["pid"] for r in runs)
        names = page.eval_on_selector_all(
            "[data-testid=scientific-metadata] tbody th", "c => c.map(x => x.textContent)"
        )
        assert set(names) == set(dataset["scientificMetadata"])
        page.screenshot(path=str(screenshots / "stack-dataset.png"), full_page=True)
        page.get_by_role("link", name=dataset["proposalId"], exact=True).click()
        proposal = client.get(f"/proposals/{quote(dataset['proposalId'], safe='')}").json()
    assert page.inner_text("[data-testid=proposal-id]") == proposal["proposalId"]
    assert page.get_by_role("heading", level=1).inner_text() == proposal["title"]
    assert page.locator("[data-testid=measurement-periods] tbody tr").count() == len(
        proposal["MeasurementPeriodList"]
    )
    page.screenshot(path=str(screenshots / "stack-proposal.png"), full_page=True)


def test_puck_layout_to_sample(stack_page: Any, target: Target, screenshots: Path) -> None:
    page = stack_page
    log_in(page, target)
    with api(target) as client:
        pucks = client.get(
            "/samples/fullquery",
            params={"fields": json.dumps({"type": "puck"}), "limits": json.dumps({"limit": 1})},
        ).json()
        assert pucks, "tiny seeds hierarchical samples"
        puck = pucks[0]
        page.goto(f"/samples/{quote(puck['sampleId'])}")
        layout = page.locator("[data-testid=puck-layout]")
        capacity = int(puck["sampleCharacteristics"]["Container_capacity"]["value"])
        assert layout.locator("[data-position]").count() == capacity
        assert (
            layout.get_attribute("data-kind")
            == puck["sampleCharacteristics"]["Container_containerType"]["value"]
        )
        page.screenshot(path=str(screenshots / "stack-puck.png"), full_page=True)
        filled = layout.locator("a.position.filled").first
        position = int(filled.get_attribute("data-position"))
        filled.click()
        page.wait_for_selector("[data-testid=sample-id]")
        crystal = client.get(
            f"/samples/{quote(page.inner_text('[data-testid=sample-id]'), safe='')}"
        ).json()
    assert crystal["parentSampleId"] == puck["sampleId"]
    assert int(crystal["sampleCharacteristics"]["BLSample_location"]["value"]) == position
    assert "shipment" in page.inner_text("[data-testid=hierarchy]").lower()
    page.screenshot(path=str(screenshots / "stack-sample.png"), full_page=True)
    page.get_by_test_id("shipment-link").click()
    page.wait_for_selector("[data-testid=loading]")
    assert (
        page.locator(f"[data-testid=container][data-sample-id='{puck['sampleId']}']").count() == 1
    )
