"""frontend-lite in headless Chromium against a live scicat-lite: every screen, checked against the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from frontend_harness import Backend, login
from frontend_seed import SPINEPUCK_POSITIONS, UNIPUCK_POSITIONS, Seeded

pytestmark = [pytest.mark.database, pytest.mark.browser]


def api_facets(backend: Backend, username: str | None, fields: dict[str, Any]) -> int:
    with backend.client(username) as client:
        reply = client.get(
            "/api/v3/datasets/fullfacet", params={"fields": json.dumps(fields), "facets": "[]"}
        ).json()
    return int(reply[0]["all"][0]["totalSets"]) if reply and reply[0]["all"] else 0


def api_query(
    backend: Backend, username: str | None, fields: dict[str, Any], limits: dict[str, Any]
) -> list[dict[str, Any]]:
    with backend.client(username) as client:
        reply: list[dict[str, Any]] = client.get(
            "/api/v3/datasets/fullquery",
            params={"fields": json.dumps(fields), "limits": json.dumps(limits)},
        ).json()
    return reply


def shown_total(page: Any) -> int:
    return int(page.get_attribute("[data-testid=dataset-count]", "data-total"))


def shown_pids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=datasets-table] tbody tr", "rows => rows.map(r => r.dataset.pid)"
    )


def test_login_then_own_datasets(
    page: Any, backend: Backend, seeded: Seeded, screenshots: Path
) -> None:
    page.goto("/login")
    page.screenshot(path=str(screenshots / "login.png"))
    login(page, backend, "user1")
    assert "Signed in as user1" in page.inner_text("[data-testid=signed-in-user]")
    assert shown_total(page) == api_facets(backend, "user1", {}) > 0
    assert (
        page.inner_text("[data-testid=range]")
        == f"1 – {min(25, shown_total(page))} of {shown_total(page)}"
    )
    page.screenshot(path=str(screenshots / "datasets.png"), full_page=True)


def test_wrong_password_is_said_plainly(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("user1")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.inner_text("[data-testid=login-error]") == "Wrong username or password."


def test_filter_by_text_matches_the_api(
    page: Any, backend: Backend, seeded: Seeded, screenshots: Path
) -> None:
    login(page, backend, "user1")
    page.get_by_label("Text").fill("lysozyme")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**text=lysozyme**")
    expected = api_facets(backend, "user1", {"text": "lysozyme"})
    assert 0 < expected < api_facets(backend, "user1", {})
    assert shown_total(page) == expected
    rows = api_query(
        backend,
        "user1",
        {"text": "lysozyme"},
        {"limit": 25, "skip": 0, "order": "creationTime:desc"},
    )
    assert shown_pids(page) == [d["pid"] for d in rows]
    page.screenshot(path=str(screenshots / "datasets-filtered.png"), full_page=True)


def test_filter_by_type_matches_the_api(page: Any, backend: Backend, seeded: Seeded) -> None:
    login(page, backend, "user1")
    facet = page.locator("fieldset[data-facet=type]")
    expected = api_facets(backend, "user1", {"type": ["derived"]})
    label = facet.locator("label.check", has_text="derived")
    assert label.locator(".count").inner_text() == str(expected)
    label.locator("input").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**type=derived**")
    assert shown_total(page) == expected > 0
    types = page.eval_on_selector_all(
        "[data-testid=datasets-table] tbody tr td:nth-child(7)",
        "c => c.map(x => x.innerText.trim())",
    )
    assert set(types) == {"derived"}


def test_text_and_type_together(page: Any, backend: Backend, seeded: Seeded) -> None:
    login(page, backend, "user1", "/datasets?text=thaumatin&type=raw")
    assert (
        shown_total(page)
        == api_facets(backend, "user1", {"text": "thaumatin", "type": ["raw"]})
        > 0
    )


def test_anonymous_visitors_see_published_data(page: Any, backend: Backend, seeded: Seeded) -> None:
    page.goto("/datasets")
    expected = api_facets(backend, None, {"isPublished": True})
    assert shown_total(page) == expected == sum(1 for d in seeded.datasets if d["isPublished"])
    assert "Log in" in page.inner_text(".hint")


def test_paging_and_items_per_page(page: Any, backend: Backend, seeded: Seeded) -> None:
    login(page, backend, "admin")
    total = shown_total(page)
    page.get_by_label("Items per page").select_option("10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**per_page=10**")
    assert page.inner_text("[data-testid=range]") == f"1 – 10 of {total}"
    page.get_by_role("link", name="Next page").click()
    assert page.inner_text("[data-testid=range]") == f"11 – {min(20, total)} of {total}"
    expected = api_query(
        backend, "admin", {}, {"limit": 10, "skip": 10, "order": "creationTime:desc"}
    )
    assert shown_pids(page) == [d["pid"] for d in expected]


def test_sorting_by_a_column(page: Any, backend: Backend, seeded: Seeded) -> None:
    login(page, backend, "user1")
    page.get_by_role("link", name="Name", exact=True).click()
    page.wait_for_url("**sort=name**")
    assert page.inner_text("th[aria-sort=ascending]").startswith("Name")
    expected = api_query(backend, "user1", {}, {"limit": 25, "skip": 0, "order": "datasetName:asc"})
    assert shown_pids(page) == [d["pid"] for d in expected]


def metadata_rows(page: Any) -> list[list[str]]:
    rows: list[list[str]] = page.eval_on_selector_all(
        "[data-testid=scientific-metadata] tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.innerText.trim()))",
    )
    return rows


def flatten(metadata: dict[str, Any], prefix: str = "") -> dict[str, tuple[Any, str]]:
    flat: dict[str, tuple[Any, str]] = {}
    for key, entry in metadata.items():
        if isinstance(entry, dict) and "value" in entry:
            flat[prefix + key] = (entry["value"], entry.get("unit") or "")
        else:
            flat |= flatten(entry, f"{prefix}{key}.")
    return flat


def same_value(shown: str, value: Any) -> bool:
    if isinstance(value, bool):
        return shown == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return float(shown) == float(value)
    return shown == str(value)


@pytest.mark.parametrize("kind", ["raw", "derived"])
def test_dataset_scientific_metadata_matches_the_api(
    page: Any, backend: Backend, seeded: Seeded, screenshots: Path, kind: str
) -> None:
    login(page, backend, "user1")
    dataset = next(
        d
        for d in (seeded.raw() if kind == "raw" else seeded.derived())
        if d["ownerGroup"] == "group1"
    )
    page.get_by_label("PID", exact=True).fill(dataset["pid"].split("/")[1])
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**pid=**")
    assert shown_pids(page) == [dataset["pid"]]
    page.get_by_role("link", name=dataset["pid"]).click()
    page.wait_for_selector("[data-testid=scientific-metadata]")
    with backend.client("user1") as client:
        api = client.get(f"/api/v3/datasets/{quote(dataset['pid'], safe='')}").json()
    expected = flatten(api["scientificMetadata"])
    rows = metadata_rows(page)
    assert [r[0] for r in rows] == sorted(expected, key=lambda name: (name.lower(), name))
    for name, value, unit in rows:
        assert same_value(value, expected[name][0]), name
        assert unit == expected[name][1], name
    assert page.inner_text("[data-testid=pid]") == dataset["pid"]
    for heading in (
        "General Information",
        "Creator Information",
        "File Information",
        "Related Documents",
    ):
        assert page.get_by_role("heading", name=heading).is_visible()
    page.screenshot(path=str(screenshots / f"dataset-{kind}.png"), full_page=True)


def test_related_datasets_link_both_ways(
    page: Any, backend: Backend, seeded: Seeded, screenshots: Path
) -> None:
    login(page, backend, "user1")
    derived = next(d for d in seeded.derived() if d["ownerGroup"] == "group1")
    raw_pid = derived["inputDatasets"][0]
    page.goto(f"/datasets/{raw_pid}?tab=related")
    assert (
        page.locator("[data-testid=derived-datasets-table]")
        .get_by_role("link", name=derived["pid"])
        .count()
        == 1
    )
    page.screenshot(path=str(screenshots / "dataset-related.png"), full_page=True)
    page.locator("[data-testid=derived-datasets-table]").get_by_role(
        "link", name=derived["pid"]
    ).click()
    page.get_by_role("link", name="Related Datasets").click()
    page.locator("[data-testid=input-datasets-table]").get_by_role("link", name=raw_pid).click()
    assert page.inner_text("[data-testid=pid]") == raw_pid


def test_datafiles_and_attachments(
    page: Any, backend: Backend, seeded: Seeded, screenshots: Path
) -> None:
    login(page, backend, "user1")
    raw = seeded.raw()[0]
    page.goto(f"/datasets/{raw['pid']}")
    page.get_by_role("link", name="Datafiles").click()
    paths = page.eval_on_selector_all(
        "[data-testid=datafiles-table] tbody td:first-child", "c => c.map(x => x.innerText)"
    )
    with backend.client("user1") as client:
        blocks = client.get(f"/api/v3/datasets/{quote(raw['pid'], safe='')}/origdatablocks").json()
    assert paths == [f["path"] for b in blocks for f in b["dataFileList"]]
    page.screenshot(path=str(screenshots / "dataset-datafiles.png"), full_page=True)
    page.get_by_role("link", name="Attachments").click()
    image = page.get_by_role("img", name=f"Diffraction image of {raw['datasetName']}")
    assert image.evaluate("img => img.naturalWidth") == 8


def test_proposal_page(page: Any, backend: Backend, seeded: Seeded, screenshots: Path) -> None:
    login(page, backend, "user1")
    proposal = seeded.proposals["MX2024001"]
    page.goto("/proposals")
    page.get_by_role("link", name="MX2024001").click()
    assert page.inner_text("[data-testid=proposal-id]") == "MX2024001"
    assert page.get_by_role("heading", level=1).inner_text() == proposal["title"]
    body = page.inner_text("main")
    assert proposal["abstract"] in body and "Rosalind Pi0" in body and "Ada Proposer0" in body
    periods = page.locator("[data-testid=measurement-periods] tbody tr")
    assert periods.count() == len(proposal["MeasurementPeriodList"])
    with backend.client("user1") as client:
        count = client.get(
            "/api/v3/datasets/count",
            params={"filter": json.dumps({"where": {"proposalId": "MX2024001"}})},
        ).json()["count"]
    assert count > 0
    assert page.locator("[data-testid=proposal-datasets-table] tbody tr").count() == min(count, 25)
    assert page.inner_text(
        "section[aria-labelledby=proposal-datasets] [data-testid=range]"
    ).endswith(f"of {count}")
    page.screenshot(path=str(screenshots / "proposal.png"), full_page=True)


def test_puck_layout_leads_to_its_samples(
    page: Any, backend: Backend, seeded: Seeded, screenshots: Path
) -> None:
    page.goto(f"/samples/{seeded.unipuck_id}")
    layout = page.locator("[data-testid=puck-layout]")
    assert layout.get_attribute("data-kind") == "Unipuck"
    assert layout.locator("[data-position]").count() == 16
    filled = layout.locator(".position.filled")
    assert sorted(
        int(p) for p in filled.evaluate_all("els => els.map(e => e.dataset.position)")
    ) == list(UNIPUCK_POSITIONS)
    assert layout.locator(".position.empty").count() == 16 - len(UNIPUCK_POSITIONS)
    crumbs = page.inner_text("[data-testid=hierarchy]")
    assert "SHIP-1" in crumbs and "DW-1" in crumbs and "UP-1" in crumbs
    page.screenshot(path=str(screenshots / "puck.png"), full_page=True)
    position = 9
    layout.locator(f"a[data-position='{position}']").click()
    page.wait_for_url(f"**/samples/{seeded.crystal_by_position[position]}")
    sample = seeded.samples[seeded.crystal_by_position[position]]
    assert page.inner_text("[data-testid=sample-id]") == sample["sampleId"]
    crumbs = page.inner_text("[data-testid=hierarchy]")
    assert (
        crumbs.index("SHIP-1")
        < crumbs.index("DW-1")
        < crumbs.index("UP-1")
        < crumbs.index(sample["sampleName"])
    )
    shown = page.eval_on_selector_all(
        "[data-testid=characteristics] tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.innerText.trim()))",
    )
    with httpx.Client(base_url=backend.url) as client:
        api = client.get(f"/api/v3/samples/{sample['sampleId']}").json()["sampleCharacteristics"]
    assert {name: (value, unit) for name, value, unit in shown} == {
        name: (str(entry["value"]), entry.get("unit") or "") for name, entry in api.items()
    }
    page.screenshot(path=str(screenshots / "sample.png"), full_page=True)


def test_puck_positions_work_from_the_keyboard(page: Any, seeded: Seeded) -> None:
    page.goto(f"/samples/{seeded.unipuck_id}")
    first = min(UNIPUCK_POSITIONS)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.position") == str(first):
            break
    else:
        pytest.fail("Tab never reached the first filled puck position")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/samples/{seeded.crystal_by_position[first]}")


def test_spinepuck_has_ten_positions(page: Any, backend: Backend, seeded: Seeded) -> None:
    login(page, backend, "user1", f"/samples/{seeded.spinepuck_id}")
    layout = page.locator("[data-testid=puck-layout]")
    assert layout.get_attribute("data-kind") == "Spinepuck"
    assert layout.locator("[data-position]").count() == 10
    assert layout.locator(".position.filled").count() == len(SPINEPUCK_POSITIONS)


def test_shipment_lists_its_dewars(page: Any, seeded: Seeded, screenshots: Path) -> None:
    page.goto(f"/samples/{seeded.shipment_id}")
    page.locator("[data-testid=children-table]").get_by_role("link", name="DW-1").click()
    assert page.get_by_role("heading", name="Pucks").is_visible()
    page.goto("/samples")
    page.screenshot(path=str(screenshots / "samples.png"), full_page=True)


def test_not_logged_in_is_not_unreachable(
    page: Any, browser: Any, dead_frontend: str, seeded: Seeded, screenshots: Path
) -> None:
    private = next(d for d in seeded.datasets if not d["isPublished"])
    page.goto(f"/datasets/{private['pid']}")
    error = page.locator("[data-testid=error]")
    assert error.get_attribute("data-kind") == "login"
    assert page.get_by_role("heading", level=1).inner_text() == "Not logged in"
    page.screenshot(path=str(screenshots / "error-not-logged-in.png"))
    context = browser.new_context(base_url=dead_frontend, viewport={"width": 1366, "height": 768})
    try:
        dead = context.new_page()
        response = dead.goto("/datasets")
        assert response.status == 503
        assert dead.get_by_role("heading", level=1).inner_text() == "Backend unreachable"
        assert dead.locator("[data-testid=error]").get_attribute("data-kind") == "unreachable"
        dead.screenshot(path=str(screenshots / "error-backend-unreachable.png"))
    finally:
        context.close()


def test_copy_button_copies_the_pid(browser: Any, frontend: str, seeded: Seeded) -> None:
    context = browser.new_context(
        base_url=frontend, permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        page = context.new_page()
        published = next(d for d in seeded.datasets if d["isPublished"])
        page.goto(f"/datasets/{published['pid']}")
        page.get_by_role("button", name="Copy").click()
        assert page.evaluate("navigator.clipboard.readText()") == published["pid"]
    finally:
        context.close()


def test_skip_link_and_no_outside_requests(page: Any, frontend: str, seeded: Seeded) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/datasets")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.goto(f"/samples/{seeded.unipuck_id}")
    outside = [url for url in requested if not url.startswith((frontend, "data:"))]
    assert outside == []
