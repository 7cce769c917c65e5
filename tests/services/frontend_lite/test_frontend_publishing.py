"""Publishing in headless Chromium: select two datasets, fill the published-data form
(prefilled from the backend's ``formpopulate``), save, publish, register; the public page
then shows the DOI the backend minted and the datasets, to anyone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from edit_harness import api, enc, field_errors, find_datasets, read_dataset, signed_in
from edit_stack import EditStack

pytestmark = [pytest.mark.database, pytest.mark.browser]


def test_publish_two_datasets_and_register_them(
    browser: Any, edit_frontend: str, editable: EditStack, screenshots: Path
) -> None:
    chosen = find_datasets(
        editable, {"ownerGroup": editable.pi_group, "type": "derived", "isPublished": False}
    )[:2]
    pids = [d["pid"] for d in chosen]
    context = browser.new_context(base_url=edit_frontend, viewport={"width": 1366, "height": 900})
    page = signed_in(context, editable, "pi", "/datasets?type=derived")
    # Tick the two datasets wherever they are in the list: filter by their PIDs.
    for pid in pids:
        page.goto(f"/datasets?pid={enc(pid.rsplit('/', 1)[1])}")
        page.get_by_label(f"Select {pid}").check()
        page.get_by_role("button", name="Add selected to selection").click()
        assert "to the selection" in page.get_by_test_id("flash").inner_text()
    page.get_by_test_id("selection-link").click()
    rows = page.eval_on_selector_all(
        "[data-testid=selection-table] tbody tr", "rows => rows.map(r => r.dataset.pid)"
    )
    assert rows == pids
    page.screenshot(path=str(screenshots / "selection.png"), full_page=True)
    page.get_by_test_id("publish-selection").click()

    with api(editable, "pi") as client:
        populated = client.get(
            "/api/v4/publisheddata/formpopulate", params=[("pid", p) for p in pids]
        ).json()
    form = page.get_by_test_id("publish-form")
    assert form.get_by_label("Title *").input_value() == populated["title"]
    assert form.get_by_label("Abstract *").input_value() == populated["abstract"]
    assert form.get_by_label("Publication year").input_value() == str(
        populated["metadata"]["publicationYear"]
    )
    assert form.get_by_label("Resource type").input_value() == "Dataset"  # the schema's default
    form.get_by_label("Title *").fill("Fragment screening: two processing runs")
    form.get_by_role("button", name="Save").click()
    # The schema asks for a creator and a publisher: said beside the fields, nothing saved.
    errors = field_errors(page)
    assert errors["metadata/creators"] == "Required" and errors["metadata/publisher"] == "Required"
    form = page.get_by_test_id("publish-form")
    assert form.get_by_label("Title *").input_value() == "Fragment screening: two processing runs"
    form.locator("input[name='metadata/creators/0/name']").fill("Rosalind Pi")
    form.locator("input[name='metadata/creators/0/affiliation']").fill("SciCat Live Light Source")
    form.get_by_role("button", name="Add another").first.click()
    form = page.get_by_test_id("publish-form")
    assert form.locator("input[name='metadata/creators/0/name']").input_value() == "Rosalind Pi"
    form.locator("input[name='metadata/creators/1/name']").fill("Ada Proposer")
    form.get_by_label("Publisher name").fill("SciCat Live")
    page.screenshot(path=str(screenshots / "publish-form.png"), full_page=True)
    form.get_by_role("button", name="Save").click()

    doi = page.get_by_test_id("doi").inner_text()
    assert page.url.endswith("/publishedDatasets/" + doi)
    with api(editable, "pi") as client:
        record = client.get(f"/api/v4/publisheddata/{enc(doi)}").json()
    assert doi.startswith("10.9999/") and record["doi"] == doi and record["status"] == "private"
    assert record["datasetPids"] == pids
    assert [c["name"] for c in record["metadata"]["creators"]] == ["Rosalind Pi", "Ada Proposer"]
    assert record["metadata"]["publisher"] == {"name": "SciCat Live"}
    page.goto("/datasets/selection")  # saved: the selection is empty again
    assert page.get_by_test_id("empty").is_visible()
    page.goto(f"/publishedDatasets/{doi}")
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_test_id("status-text").inner_text() == "public"
    assert all(read_dataset(editable, pid)["isPublished"] for pid in pids)
    page.get_by_role("button", name="Register").click()
    assert page.get_by_test_id("status-text").inner_text() == "registered"
    with api(editable, "pi") as client:
        record = client.get(f"/api/v4/publisheddata/{enc(doi)}").json()
    assert record["status"] == "registered" and record["registeredTime"]
    assert all(read_dataset(editable, pid)["datasetlifecycle"]["publishedOn"] for pid in pids)
    assert page.get_by_test_id("workflow").count() == 1  # pi is no admin: nothing left to do
    assert page.get_by_role("button").filter(has_text="Amend").count() == 0
    context.close()

    anonymous = browser.new_context(base_url=edit_frontend).new_page()
    anonymous.goto(f"/publishedDatasets/{doi}")
    assert anonymous.get_by_test_id("doi").inner_text() == doi
    assert anonymous.get_by_test_id("creators").inner_text() == "Rosalind Pi, Ada Proposer"
    shown = anonymous.eval_on_selector_all(
        "[data-testid=published-datasets-table] tbody a", "links => links.map(a => a.innerText)"
    )
    assert shown == pids
    assert anonymous.get_by_test_id("workflow").count() == 0
    anonymous.screenshot(path=str(screenshots / "published-data.png"), full_page=True)
    anonymous.goto("/publishedDatasets")
    with api(editable, None) as client:
        registered = client.get(
            "/api/v4/publisheddata", params={"filter": json.dumps({"limits": {"limit": 100}})}
        ).json()
    listed = anonymous.eval_on_selector_all(
        "[data-testid=published-table] tbody tr", "rows => rows.map(r => r.dataset.doi)"
    )
    assert doi in listed and set(listed) == {r["doi"] for r in registered}
    anonymous.screenshot(path=str(screenshots / "published-list.png"), full_page=True)
    anonymous.get_by_role("link", name=doi).click()
    anonymous.get_by_role("link", name=pids[0]).click()
    assert anonymous.locator("h1").inner_text() == (chosen[0]["datasetName"] or pids[0])
    anonymous.context.close()
