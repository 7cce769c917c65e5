"""The datasets list's scientific conditions, chosen columns, page size and sort, and sharing,
in headless Chromium; every count and value is the backend API's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from edit_harness import (
    api,
    facet_total,
    find_datasets,
    header_columns,
    log_out,
    read_dataset,
    shown_pids,
    shown_total,
    signed_in,
)
from edit_stack import EditStack
from frontend_harness import login

pytestmark = [pytest.mark.database, pytest.mark.browser]


def add_condition(
    page: Any, key: str, relation: str, value: str, unit: str, maximum: str = ""
) -> None:
    """Through the filters panel's steps: the key, then relation, value(s) and unit."""
    page.get_by_test_id("add-condition").click()
    page.get_by_label("Metadata key").select_option(key)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Relation").select_option(relation)
    page.get_by_label("Value").fill(value)
    if maximum:
        page.get_by_label("Maximum").fill(maximum)
    page.get_by_label("Unit").fill(unit)
    with page.expect_navigation():
        page.get_by_role("button", name="Add condition").click()


def test_a_condition_with_a_unit_matches_the_apis_count(
    edit_browser: Any, editable: EditStack, screenshots: Path
) -> None:
    page = signed_in(edit_browser, editable, "admin", "/datasets?type=raw")
    everything = shown_total(page)
    add_condition(page, "resolution", "<", "0.2345", "nm")
    chips = [c.inner_text() for c in page.get_by_test_id("condition-chip").all()]
    assert chips == ["resolution < 0.2345 nm ✕"]
    in_nm = {"lhs": "resolution", "relation": "LESS_THAN", "rhs": 0.2345, "unit": "nm"}
    expected = facet_total(editable, "admin", {"type": ["raw"], "scientific": [in_nm]})
    # The backend compares in SI: 0.2345 nm is 2.345 Å, whichever unit the datasets store.
    # (Not a round threshold: in floating point 0.2 nm is 2.0000000000000003e-10 m, above a
    # dataset's 2.0 Å, as upstream's mathjs computes it too.)
    in_angstrom = {**in_nm, "rhs": 2.345, "unit": "angstrom"}
    assert expected == facet_total(
        editable, "admin", {"type": ["raw"], "scientific": [in_angstrom]}
    )
    assert 0 < shown_total(page) == expected < everything
    page.screenshot(path=str(screenshots / "datasets-condition.png"), full_page=True)
    # A second condition: a range on another key, in picometres.
    add_condition(page, "wavelength", "range", "90", "pm", maximum="110")
    in_range = {"lhs": "wavelength", "relation": "RANGE", "rhs": [90, 110], "unit": "pm"}
    both = facet_total(editable, "admin", {"type": ["raw"], "scientific": [in_nm, in_range]})
    assert shown_total(page) == both
    assert len(page.get_by_test_id("condition-chip").all()) == 2
    with page.expect_navigation():
        page.get_by_role("link", name="Remove condition resolution < 0.2345 nm").click()
    assert [c.inner_text() for c in page.get_by_test_id("condition-chip").all()] == [
        "wavelength: 90 ↔ 110 pm ✕"
    ]
    assert shown_total(page) == facet_total(
        editable, "admin", {"type": ["raw"], "scientific": [in_range]}
    )
    with page.expect_navigation():
        page.get_by_role("link", name="Remove condition wavelength: 90 ↔ 110 pm").click()
    assert shown_total(page) == everything


def test_a_bad_condition_is_said_and_nothing_is_added(
    edit_browser: Any, editable: EditStack
) -> None:
    page = signed_in(edit_browser, editable, "admin", "/datasets?type=raw")
    page.get_by_test_id("add-condition").click()
    page.get_by_label("Metadata key").select_option("resolution")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Relation").select_option("≥")
    page.get_by_label("Value").fill("two")
    page.get_by_role("button", name="Add condition").click()
    assert "value must be a number" in page.get_by_test_id("condition-error").inner_text()
    assert page.get_by_test_id("condition-chip").count() == 0
    reply = page.request.get("/datasets?cond=[1,2]")
    assert reply.status == 400 and "cond" in reply.text()


def test_chosen_columns_persist_across_logout_and_login(
    edit_browser: Any, editable: EditStack, screenshots: Path
) -> None:
    page = signed_in(edit_browser, editable, "pi", "/datasets?type=raw")
    defaults = header_columns(page)
    page.get_by_test_id("columns-link").click()
    form = page.get_by_test_id("columns-form")
    form.get_by_role("checkbox", name="Run number", exact=True).uncheck()
    form.get_by_role("checkbox", name="Owner group", exact=True).check()
    form.get_by_label("Add a scientific metadata column").select_option("resolution")
    form.get_by_role("button", name="Add column").click()
    form = page.get_by_test_id("columns-form")
    form.get_by_role("button", name="Move resolution up").click()
    page.screenshot(path=str(screenshots / "columns.png"), full_page=True)
    page.get_by_role("button", name="Save and show the list").click()
    chosen = header_columns(page)
    assert "runNumber" not in chosen and "ownerGroup" in chosen
    metadata_column = "scientificMetadata.resolution.value"
    assert chosen.index(metadata_column) == chosen.index("ownerGroup") - 1
    assert [c for c in chosen if c not in ("ownerGroup", metadata_column)] == [
        c for c in defaults if c != "runNumber"
    ]
    with api(editable, "pi") as client:
        settings = client.get("/api/v3/users/my/settings").json()
    saved = settings["externalSettings"]["fe_dataset_table_columns"]
    assert [c["name"] for c in sorted(saved, key=lambda c: c["order"]) if c["enabled"]] == chosen
    # The cells of the metadata column are the API's values.
    for pid, cell in zip(
        shown_pids(page)[:5],
        page.locator(f"td[data-column='{metadata_column}']").all()[:5],
        strict=True,
    ):
        entry = read_dataset(editable, pid)["scientificMetadata"]["resolution"]
        assert cell.inner_text().startswith(str(entry["value"]).rstrip("0").rstrip(".")[:4])
    log_out(page)
    login(page, editable.backend, "pi")
    assert header_columns(page) == chosen


def test_page_size_and_sort_persist(edit_browser: Any, editable: EditStack) -> None:
    page = signed_in(edit_browser, editable, "colleague")
    page.get_by_label("Items per page").select_option("50")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Name", exact=True).click()
    page.wait_for_url("**sort=name**")
    shown = shown_pids(page)
    assert len(shown) == min(50, shown_total(page))
    with api(editable, "colleague") as client:
        settings = client.get("/api/v3/users/my/settings").json()
    assert settings["datasetCount"] == 50
    assert settings["externalSettings"]["fe_dataset_table_sort"] == {
        "column": "datasetName",
        "direction": "asc",
    }
    log_out(page)
    login(page, editable.backend, "colleague")
    assert page.url.endswith("/datasets")
    assert shown_pids(page) == shown
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Name")


def test_sharing_shows_at_once_in_who_sees_the_dataset(
    browser: Any, edit_frontend: str, editable: EditStack, screenshots: Path
) -> None:
    hidden = find_datasets(
        editable, {"ownerGroup": editable.pi_group, "type": "raw", "isPublished": False}
    )[-1]
    pid = hidden["pid"]
    others = browser.new_context(base_url=edit_frontend)
    colleague = signed_in(others, editable, "colleague", f"/datasets?pid={pid.rsplit('/', 1)[1]}")
    assert shown_total(colleague) == 0
    colleague.goto(f"/datasets/{pid}")
    assert colleague.get_by_test_id("error").get_attribute("data-kind") == "forbidden"
    owner_context = browser.new_context(
        base_url=edit_frontend, viewport={"width": 1366, "height": 900}
    )
    owner = signed_in(owner_context, editable, "pi", f"/datasets/{pid}")
    owner.get_by_test_id("edit-share").click()
    form = owner.get_by_test_id("share-form")
    form.get_by_label("Add access groups").fill(editable.colleague_group)
    form.get_by_label("Add users (e-mail)").fill("colleague@example.org, not-an-address")
    form.get_by_role("button", name="Save sharing").click()
    assert (
        "Not an e-mail address: 'not-an-address'" in owner.get_by_test_id("share-form").inner_text()
    )
    owner.get_by_label("Add users (e-mail)").fill("colleague@example.org")
    owner.screenshot(path=str(screenshots / "share.png"), full_page=True)
    owner.get_by_role("button", name="Save sharing").click()
    assert owner.get_by_test_id("flash").inner_text() == "Saved who the dataset is shared with."
    stored = read_dataset(editable, pid)
    assert editable.colleague_group in stored["accessGroups"]
    assert stored["sharedWith"] == ["colleague@example.org"]
    summary = owner.get_by_test_id("access-summary")
    assert editable.colleague_group in summary.get_by_test_id("summary-access-groups").inner_text()
    assert summary.get_by_test_id("summary-shared-with").inner_text() == "colleague@example.org"
    colleague.goto(f"/datasets?pid={pid.rsplit('/', 1)[1]}")
    assert shown_pids(colleague) == [pid]
    colleague.goto(f"/datasets/{pid}")
    assert colleague.locator("h1").inner_text() == (hidden["datasetName"] or pid)
    # Taking the group away: gone from the colleague's list and page. sharedWith alone counts
    # in the backend's v3/v4 list endpoints only, never in fullquery or a single read.
    owner.goto(f"/datasets/{pid}?edit=share")
    owner.get_by_test_id("share-form").get_by_label(editable.colleague_group).uncheck()
    owner.get_by_role("button", name="Save sharing").click()
    stored = read_dataset(editable, pid)
    assert editable.colleague_group not in stored["accessGroups"]
    assert stored["sharedWith"] == ["colleague@example.org"]
    colleague.goto(f"/datasets?pid={pid.rsplit('/', 1)[1]}")
    assert shown_total(colleague) == 0
    colleague.goto(f"/datasets/{pid}")
    assert colleague.get_by_test_id("error").get_attribute("data-kind") == "forbidden"
    others.close()
    owner_context.close()
