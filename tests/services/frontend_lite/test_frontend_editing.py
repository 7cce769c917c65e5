"""Editing in headless Chromium, on a catalogue seeded by scicatlive's own seeding.

A dataset's general information and its scientific metadata (typed values and units), a
sample's characteristics and a proposal's title and abstract: every value is read back
from the backend's API; a bad value shows its error beside the field; the History and
Lifecycle tabs show what the API holds; anonymous and read-only users get no controls,
and a form posted without rights gets the backend's 403 as the "No access" page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from edit_harness import (
    api,
    editor_row,
    enc,
    field_errors,
    find_datasets,
    read_dataset,
    signed_in,
)
from edit_stack import EditStack

pytestmark = [pytest.mark.database, pytest.mark.browser]


@pytest.fixture(scope="module")
def pi_raw(editable: EditStack) -> list[dict[str, Any]]:
    found = find_datasets(editable, {"ownerGroup": editable.pi_group, "type": "raw"})
    assert len(found) >= 4, "the MX recipe gave the first proposal too few collections"
    return found


def test_edit_general_information_round_trips(
    edit_browser: Any, editable: EditStack, pi_raw: list[dict[str, Any]], screenshots: Path
) -> None:
    pid = pi_raw[0]["pid"]
    page = signed_in(edit_browser, editable, "pi", f"/datasets/{pid}")
    page.get_by_test_id("edit-general").click()
    form = page.get_by_test_id("general-form")
    form.get_by_label("Name").fill("Lysozyme soak, second look")
    form.get_by_label("Description").fill("Re-examined after the beamline upgrade.")
    form.get_by_label("Keywords").fill("MX, reprocessed, training 2024")
    page.screenshot(path=str(screenshots / "edit-dataset.png"), full_page=True)
    form.get_by_role("button", name="Save changes").click()
    assert page.get_by_test_id("flash").inner_text() == "Saved the general information."
    stored = read_dataset(editable, pid)
    assert stored["datasetName"] == "Lysozyme soak, second look"
    assert stored["description"] == "Re-examined after the beamline upgrade."
    assert stored["keywords"] == ["MX", "reprocessed", "training 2024"]
    general = page.locator("[data-section=general]")
    assert "Lysozyme soak, second look" in general.inner_text()
    assert [c.inner_text() for c in general.locator(".chip").all()] == stored["keywords"]


def test_edit_metadata_typed_values_units_and_field_errors(
    edit_browser: Any, editable: EditStack, pi_raw: list[dict[str, Any]], screenshots: Path
) -> None:
    pid = pi_raw[1]["pid"]
    before = read_dataset(editable, pid)["scientificMetadata"]
    page = signed_in(edit_browser, editable, "pi", f"/datasets/{pid}?edit=metadata")
    resolution = editor_row(page, "resolution")
    assert resolution.locator("select").input_value() == "quantity"
    assert resolution.locator("input[name$='.unit']").input_value() == before["resolution"]["unit"]
    resolution.locator("input[name$='.value']").fill("about two")
    # A new row: a quantity with a unit, and a number.
    blank = page.locator("[data-testid=metadata-editor] tr[data-name='']").first
    blank.locator("select").select_option("quantity")
    blank.locator("input[name$='.name']").fill("soakTime")
    blank.locator("input[name$='.value']").fill("30")
    blank.locator("input[name$='.human']").fill("Soak time")
    page.get_by_role("button", name="Save changes").click()
    errors = field_errors(page)
    name = resolution.get_attribute("data-row")
    assert errors == {
        f"m{name}.value": "Value must be a number",
        **{k: v for k, v in errors.items() if k.endswith(".unit")},
    }
    assert any(v == "A unit is required for quantities" for v in errors.values()), errors
    page.screenshot(path=str(screenshots / "edit-metadata-error.png"), full_page=True)
    assert read_dataset(editable, pid)["scientificMetadata"] == before, "nothing may be saved"
    # Fix both: the form kept everything typed.
    editor_row(page, "resolution").locator("input[name$='.value']").fill("1.75")
    soak = editor_row(page, "soakTime")
    assert soak.locator("input[name$='.value']").input_value() == "30"
    soak.locator("input[name$='.unit']").fill("min")
    page.get_by_role("button", name="Add row").click()
    blank = page.locator("[data-testid=metadata-editor] tr[data-name='']").first
    blank.locator("select").select_option("number")
    blank.locator("input[name$='.name']").fill("dropNumber")
    blank.locator("input[name$='.value']").fill("4")
    editor_row(page, "beamShape").locator("input[name$='.remove']").check()
    page.get_by_role("button", name="Save changes").click()
    assert page.get_by_test_id("flash").inner_text() == "Saved the scientific metadata."
    after = read_dataset(editable, pid)["scientificMetadata"]
    assert after["resolution"]["value"] == 1.75 and after["resolution"]["type"] == "quantity"
    assert after["resolution"]["unit"] == before["resolution"]["unit"]
    assert after["resolution"]["valueSI"] == pytest.approx(1.75e-10)
    assert after["soakTime"] == {
        **after["soakTime"],
        "value": 30,
        "unit": "min",
        "type": "quantity",
        "human_name": "Soak time",
    }
    assert after["soakTime"]["valueSI"] == pytest.approx(1800)
    assert after["dropNumber"]["value"] == 4 and after["dropNumber"]["type"] == "number"
    assert "beamShape" not in after
    untouched = set(before) - {"resolution", "beamShape"}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    table = page.get_by_test_id("scientific-metadata")
    text = table.text_content() or ""  # inside a closed <details>: text, not inner text
    assert "soakTime" in text and "1.75" in text


def test_history_and_lifecycle_tabs_show_the_api(
    edit_browser: Any, editable: EditStack, pi_raw: list[dict[str, Any]], screenshots: Path
) -> None:
    pid = pi_raw[2]["pid"]
    page = signed_in(edit_browser, editable, "pi", f"/datasets/{pid}?edit=general")
    page.get_by_test_id("general-form").get_by_label("Name").fill("Renamed for the history")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name="History").click()
    history = read_dataset(editable, pid, "pi")["history"]
    newest = history[-1]
    assert newest["updatedBy"] == "pi"
    assert newest["datasetName"]["currentValue"] == "Renamed for the history"
    entry = page.locator("[data-testid=history-table] tbody").first
    text = entry.inner_text()
    assert "pi" in text and "datasetName" in text
    assert newest["datasetName"]["previousValue"] in text and "Renamed for the history" in text
    # Only what changed is listed, though the backend keeps whole documents.
    fields = [c.inner_text() for c in entry.locator("td code").all()]
    assert "datasetName" in fields and "pid" not in fields and "ownerGroup" not in fields
    page.screenshot(path=str(screenshots / "dataset-history.png"), full_page=True)
    page.get_by_role("link", name="Lifecycle").click()
    lifecycle = read_dataset(editable, pid)["datasetlifecycle"]
    shown = {
        row.get_attribute("data-name"): row.locator("dd").inner_text()
        for row in page.locator("[data-testid=lifecycle] .field[data-name]").all()
    }
    for name in ("archivable", "retrievable", "publishable"):
        assert shown[name] == ("yes" if lifecycle[name] else "no"), name
    assert shown["archiveStatusMessage"] == lifecycle["archiveStatusMessage"]
    page.screenshot(path=str(screenshots / "dataset-lifecycle.png"), full_page=True)


def _crystal(editable: EditStack) -> dict[str, Any]:
    query = {"where": {"ownerGroup": editable.pi_group, "type": "crystal"}, "limits": {"limit": 1}}
    with api(editable) as client:
        found: dict[str, Any] = client.get(
            "/api/v3/samples", params={"filter": json.dumps(query)}
        ).json()[0]
    return found


def _sample(editable: EditStack, sample_id: str) -> dict[str, Any]:
    with api(editable) as client:
        found: dict[str, Any] = client.get(f"/api/v3/samples/{enc(sample_id)}").json()
    return found


def test_edit_sample_characteristics(
    edit_browser: Any, editable: EditStack, screenshots: Path
) -> None:
    sample = _crystal(editable)
    before = sample["sampleCharacteristics"]
    page = signed_in(edit_browser, editable, "admin", f"/samples/{sample['sampleId']}")
    page.get_by_test_id("edit-characteristics").click()
    size = editor_row(page, "Crystal_size_X")
    size.locator("input[name$='.value']").fill("0.25")
    size.locator("input[name$='.unit']").fill("")
    loop = editor_row(page, "BLSample_loopType")
    loop.locator("input[name$='.value']").fill("LithoLoop")
    page.get_by_role("button", name="Save changes").click()
    assert field_errors(page) == {
        f"m{size.get_attribute('data-row')}.unit": "A unit is required for quantities"
    }
    page.screenshot(path=str(screenshots / "edit-sample.png"), full_page=True)
    editor_row(page, "Crystal_size_X").locator("input[name$='.unit']").fill("mm")
    page.get_by_role("button", name="Save changes").click()
    assert page.get_by_test_id("flash").inner_text() == "Saved the characteristics."
    after = _sample(editable, sample["sampleId"])["sampleCharacteristics"]
    assert after["Crystal_size_X"]["value"] == 0.25 and after["Crystal_size_X"]["unit"] == "mm"
    assert after["Crystal_size_X"]["valueSI"] == pytest.approx(2.5e-4)
    assert after["BLSample_loopType"]["value"] == "LithoLoop"
    assert after["Crystal_cell_a"] == before["Crystal_cell_a"]
    rows = page.get_by_test_id("characteristics").inner_text()
    assert "LithoLoop" in rows and "0.25" in rows


def test_edit_proposal_title_and_abstract(edit_browser: Any, editable: EditStack) -> None:
    with api(editable) as client:
        proposal = client.get(
            "/api/v3/proposals", params={"filter": json.dumps({"limits": {"limit": 1}})}
        ).json()[0]
    page = signed_in(edit_browser, editable, "admin", f"/proposals/{proposal['proposalId']}")
    page.get_by_test_id("edit-proposal").click()
    form = page.get_by_test_id("proposal-form")
    form.get_by_label("Title").fill("")
    form.get_by_role("button", name="Save changes").click()
    assert field_errors(page) == {"title": "A proposal needs a title"}
    page.get_by_test_id("proposal-form").get_by_label("Title").fill("Fragments, revisited")
    page.get_by_test_id("proposal-form").get_by_label("Abstract").fill("A shorter abstract.")
    page.get_by_role("button", name="Save changes").click()
    assert page.get_by_test_id("flash").inner_text() == "Saved the proposal."
    with api(editable) as client:
        stored = client.get(f"/api/v3/proposals/{enc(proposal['proposalId'])}").json()
    assert (stored["title"], stored["abstract"]) == ("Fragments, revisited", "A shorter abstract.")
    assert page.locator("h1").inner_text() == "Fragments, revisited"


def _controls(page: Any) -> dict[str, int]:
    return {
        name: page.locator(selector).count()
        for name, selector in {
            "actions": "[data-testid=record-actions]",
            "edit links": ".edit-link",
            "forms": "main form[method=post]",
            "select boxes": "td.select input",
        }.items()
    }


NONE = {"actions": 0, "edit links": 0, "forms": 0, "select boxes": 0}


def test_anonymous_and_read_only_users_get_no_controls(
    edit_browser: Any, browser: Any, edit_frontend: str, editable: EditStack
) -> None:
    published = find_datasets(editable, {"ownerGroup": editable.pi_group, "isPublished": True})[0]
    sample = _crystal(editable)
    anonymous = browser.new_context(base_url=edit_frontend).new_page()
    for path in (f"/datasets/{published['pid']}", f"/datasets/{published['pid']}?edit=metadata"):
        anonymous.goto(path)
        assert _controls(anonymous) == NONE, path
    anonymous.goto("/datasets")
    assert _controls(anonymous) == NONE
    assert anonymous.get_by_test_id("columns-link").count() == 0
    anonymous.context.close()
    colleague = signed_in(edit_browser, editable, "colleague", f"/datasets/{published['pid']}")
    assert _controls(colleague) == NONE
    colleague.goto(f"/datasets/{published['pid']}?edit=share")
    assert colleague.get_by_test_id("share-form").count() == 0
    context = browser.new_context(base_url=edit_frontend)
    pi = signed_in(context, editable, "pi", f"/samples/{sample['sampleId']}")
    # The lite stack lets SAMPLE_GROUPS (ingestor) and admins change samples: not pi's group.
    assert pi.get_by_test_id("edit-characteristics").count() == 0
    pi.goto(f"/datasets/{published['pid']}")
    assert pi.get_by_test_id("record-actions").count() == 1  # but pi owns the dataset
    context.close()


def _post_form(page: Any, path: str, data: dict[str, str]) -> Any:
    """Post a form as the page's user would, with the CSRF token of their session."""
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    return page.request.post(path, form={**data, "csrf": csrf}, max_redirects=0)


def test_a_form_posted_without_rights_gets_the_backends_403(
    browser: Any, edit_frontend: str, editable: EditStack
) -> None:
    published = find_datasets(editable, {"ownerGroup": editable.pi_group, "isPublished": True})[1]
    before = read_dataset(editable, published["pid"])
    context = browser.new_context(base_url=edit_frontend)
    colleague = signed_in(context, editable, "colleague", f"/datasets/{published['pid']}")
    reply = _post_form(
        colleague,
        f"/datasets/{published['pid']}",
        {"form": "general", "datasetName": "taken over", "description": "", "keywords": ""},
    )
    assert reply.status == 403
    assert re.search(r'data-kind="forbidden"', reply.text()) and "No access" in reply.text()
    sample = _crystal(editable)
    context.close()
    context = browser.new_context(base_url=edit_frontend)
    pi = signed_in(context, editable, "pi", f"/samples/{sample['sampleId']}")
    reply = _post_form(
        pi,
        f"/samples/{sample['sampleId']}",
        {
            "form": "characteristics",
            "m0.name": "Crystal_name",
            "m0.value": "x",
            "m0.type": "string",
        },
    )
    assert reply.status == 403 and "No access" in reply.text()
    context.close()
    anonymous = browser.new_context(base_url=edit_frontend).new_page()
    anonymous.goto("/login")  # any page with a form gives the session its CSRF token
    reply = _post_form(
        anonymous,
        f"/datasets/{published['pid']}",
        {"form": "general", "datasetName": "anonymous", "description": "", "keywords": ""},
    )
    assert reply.status == 401 and "Not logged in" in reply.text()
    anonymous.context.close()
    assert read_dataset(editable, published["pid"])["datasetName"] == before["datasetName"]
