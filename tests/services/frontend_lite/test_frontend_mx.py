"""The MX views in headless Chromium, on a catalogue seeded by scicatlive's generator and mapping.

Every expectation comes from the backend's API (read as an admin), never from ISPyB.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from frontend_harness import Backend, login
from frontend_lite.views.spacegroups import point_group_order
from mx_catalogue import (
    POSITIONS_PER_CELL,
    UNIT_SYMBOLS,
    Catalogue,
    converted,
    segment,
    unit,
    value,
)

pytestmark = [pytest.mark.database, pytest.mark.browser]
NUMBER = re.compile(r"^([-+]?[0-9.]+(?:e[-+]?\d+)?)\s*(.*)$")
SHELLS = {"overall": "overall", "inner": "innerShell", "outer": "outerShell"}


@pytest.fixture(scope="module")
def api(mx_backend: Backend) -> Iterator[httpx.Client]:
    with mx_backend.client("admin") as client:
        yield client


@pytest.fixture(scope="module")
def catalogue(api: httpx.Client) -> Catalogue:
    found = Catalogue.read(api)
    assert found.raw and found.derived and found.of_type("shipment"), "the MX recipe seeded nothing"
    return found


@pytest.fixture
def admin_page(mx_page: Any, mx_backend: Backend) -> Any:
    login(mx_page, mx_backend, "admin")
    return mx_page


def stat_row(group: Any, page: Any, label: str) -> Any:
    """The row of one statistic (by its exact row header) in one run's row group."""
    return group.locator("tr").filter(has=page.get_by_role("rowheader", name=label, exact=True))


def fields_of(page: Any, section: str) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        f"[data-testid=section-{section}] .field",
        """rows => rows.map(r => ({source: r.dataset.source, unit: r.dataset.unit || '',
            digits: r.dataset.digits || '', text: r.querySelector('dd').innerText.trim(),
            href: (r.querySelector('dd a') || {}).pathname || ''}))""",
    )


def check_metadata_field(field: dict[str, str], metadata: dict[str, Any]) -> None:
    key = field["source"].split(":", 1)[1]
    entry = metadata.get(key)
    if value(entry) is None:
        assert field["text"] == "—", f"{key}: absent in the API, shown as {field['text']!r}"
        return
    raw = value(entry)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        match = NUMBER.match(field["text"])
        assert match, f"{key}: {field['text']!r} is not a number"
        shown, shown_unit = float(match.group(1)), match.group(2)
        wanted = field["unit"] or unit(entry)
        expected = converted(float(raw), unit(entry), wanted)
        digits = int(field["digits"]) if field["digits"] else 6
        if "e" in match.group(1):
            assert shown == pytest.approx(expected, rel=0.6 * 10**-digits), key
        else:
            assert abs(shown - expected) <= 0.5 * 10**-digits + 1e-9, (
                f"{key}: {shown} vs {expected}"
            )
        assert shown_unit == UNIT_SYMBOLS.get(wanted, wanted), f"{key}: unit {shown_unit!r}"
    else:
        expected_text = (
            {True: "true", False: "false"}.get(raw, str(raw)) if isinstance(raw, bool) else str(raw)
        )
        assert field["text"] == expected_text, key


def test_mx_raw_summary_values_equal_the_api_metadata(
    admin_page: Any, catalogue: Catalogue, api: httpx.Client
) -> None:
    dataset = api.get(f"/api/v3/datasets/{segment(catalogue.richest_raw()['pid'])}").json()
    admin_page.goto(f"/datasets/{dataset['pid']}")
    assert admin_page.get_attribute("[data-testid=view-name]", "data-view") == "mx-raw"
    checked = 0
    for section in ("summary", "beamline-parameters", "sample-and-session"):
        for field in fields_of(admin_page, section):
            source, key = field["source"].split(":", 1)
            if source == "metadata":
                check_metadata_field(field, dataset["scientificMetadata"])
                checked += 1
            elif source == "sample":
                sample = catalogue.sample(dataset["sampleId"])
                expected = sample.get(key) or value(sample["sampleCharacteristics"].get(key))
                assert field["text"] == str(expected), key
                checked += 1
            elif source == "container":
                container = catalogue.sample(
                    catalogue.sample(dataset["sampleId"])["parentSampleId"]
                )
                expected = container.get(key) or value(container["sampleCharacteristics"].get(key))
                assert field["text"] == str(expected), key
    assert checked >= 30, f"only {checked} fields compared"
    session = next(
        f for f in fields_of(admin_page, "sample-and-session") if f["source"] == "metadata:session"
    )
    assert session["href"] == f"/sessions/{value(dataset['scientificMetadata']['session'])}"


def _best(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The stated rule, applied to the API's records: success with statistics, then the
    highest symmetry, then the highest overall I/σ(I), then the pipeline's name, then the PID."""
    ok = [r for r in runs if value(r["scientificMetadata"].get("processingStatus")) == "SUCCESS"
          and r["scientificMetadata"].get("statistics")]  # fmt: skip

    def key(run: dict[str, Any]) -> tuple[int, float, str, str]:
        metadata = run["scientificMetadata"]
        symmetry = point_group_order(value(metadata.get("spaceGroup"))) or 0
        i_sigma = float(value(metadata["statistics"]["overall"]["meanIOverSigI"]))
        return -symmetry, -i_sigma, str(value(metadata["processingPrograms"])), run["pid"]

    return min(ok, key=key) if ok else None


def test_auto_processing_table_has_every_pipeline_and_all_three_shells(
    admin_page: Any, catalogue: Catalogue, screenshots: Path
) -> None:
    raw = catalogue.richest_raw()
    runs = catalogue.derived_of(raw["pid"])
    assert len(runs) >= 3
    admin_page.goto(f"/datasets/{raw['pid']}")
    table = admin_page.locator("[data-testid=processing-table]")
    shells = table.locator("thead th[data-shell]")
    assert shells.evaluate_all("h => h.map(x => x.dataset.shell)") == list(SHELLS)
    assert shells.all_inner_texts() == ["Overall", "Inner", "Outer"]
    groups = table.locator("tbody")
    shown = {g.get_attribute("data-pid"): g for g in groups.all()}
    assert set(shown) == {r["pid"] for r in runs}
    pipelines = sorted(g.get_attribute("data-pipeline") or "" for g in shown.values())
    assert pipelines == sorted(value(r["scientificMetadata"]["processingPrograms"]) for r in runs)
    for run in runs:
        group, metadata = shown[run["pid"]], run["scientificMetadata"]
        if not metadata.get("statistics"):
            assert "No statistics" in group.inner_text()
            continue
        for label, key, digits in (
            ("Completeness (%)", "completeness", 1),
            ("Rmerge", "rMerge", 3),
            ("CC½", "ccHalf", 3),
        ):
            row = stat_row(group, admin_page, label)
            for shell, api_shell in SHELLS.items():
                expected = f"{value(metadata['statistics'][api_shell][key]):.{digits}f}"
                assert row.locator(f"td[data-shell={shell}]").inner_text() == expected, (
                    label,
                    shell,
                )
        row = stat_row(group, admin_page, "Resolution (Å)")
        for shell, api_shell in SHELLS.items():
            stats = metadata["statistics"][api_shell]
            low, high = value(stats["resolutionLimitLow"]), value(stats["resolutionLimitHigh"])
            assert row.locator(f"td[data-shell={shell}]").inner_text() == f"{low:.2f} – {high:.2f}"
    best = _best(runs)
    marked = table.locator("tbody.best")
    assert marked.count() == (1 if best else 0)
    if best:
        assert marked.get_attribute("data-pid") == best["pid"]
        assert table.locator("[data-testid=best-run]").count() == 1
    assert "highest symmetry" in admin_page.inner_text("[data-testid=best-rule]")
    admin_page.screenshot(path=str(screenshots / "dataset-mx-raw.png"), full_page=True)


def test_mx_derived_view_statistics_input_and_logs(
    admin_page: Any, catalogue: Catalogue, api: httpx.Client, screenshots: Path
) -> None:
    raw = catalogue.richest_raw()
    run = _best(catalogue.derived_of(raw["pid"]))
    assert run is not None
    admin_page.goto(f"/datasets/{run['pid']}")
    assert admin_page.get_attribute("[data-testid=view-name]", "data-view") == "mx-processed"
    table = admin_page.locator("[data-testid=statistics-table]")
    assert table.locator("thead th[data-shell]").all_inner_texts() == ["Overall", "Inner", "Outer"]
    multiplicity = stat_row(table, admin_page, "Multiplicity")
    for shell, api_shell in SHELLS.items():
        expected = value(run["scientificMetadata"]["statistics"][api_shell]["multiplicity"])
        assert multiplicity.locator(f"td[data-shell={shell}]").inner_text() == f"{expected:.1f}"
    inputs = admin_page.locator("[data-testid=input-datasets-table] td.pid a")
    assert inputs.evaluate_all("a => a.map(x => decodeURIComponent(x.pathname))") == [
        f"/datasets/{raw['pid']}"
    ]
    attachments = api.get(f"/api/v3/datasets/{segment(run['pid'])}/attachments").json()
    assert attachments, "the mapping attaches the processing log"
    captions = admin_page.locator("[data-testid=section-logs] .attachment h3").all_inner_texts()
    assert sorted(captions) == sorted(a["caption"] for a in attachments)
    assert "Space group" in admin_page.inner_text("[data-testid=section-logs] pre")
    admin_page.screenshot(path=str(screenshots / "dataset-mx-processed.png"), full_page=True)


def test_session_view_lists_every_collection_the_api_holds(
    admin_page: Any, catalogue: Catalogue, screenshots: Path
) -> None:
    raw = catalogue.richest_raw()
    name = value(raw["scientificMetadata"]["session"])
    expected = catalogue.session_collections(name)
    admin_page.goto(f"/datasets/{raw['pid']}")
    admin_page.locator("[data-testid=section-sample-and-session] a", has_text=name).click()
    admin_page.wait_for_url(f"**/sessions/{name}")
    rows = admin_page.locator("[data-testid=session-collections] tbody tr")
    assert rows.evaluate_all("r => r.map(x => x.dataset.pid)") == [d["pid"] for d in expected]
    assert admin_page.get_attribute("[data-testid=collection-count]", "data-count") == str(
        len(expected)
    )
    headers = admin_page.locator("[data-testid=session-collections] thead th").all_inner_texts()
    prefix, images = headers.index("Prefix"), headers.index("Images")
    for dataset, row in zip(expected, rows.all(), strict=True):
        cells = row.locator("td").all_inner_texts()
        metadata = dataset["scientificMetadata"]
        assert cells[prefix] == value(metadata["imagePrefix"])
        assert cells[images] == str(value(metadata["numberOfImages"]))
        best = _best(catalogue.derived_of(dataset["pid"]))
        assert row.locator("td.best-processing").get_attribute("data-best-pid") == (
            best["pid"] if best else ""
        )
    admin_page.screenshot(path=str(screenshots / "session.png"), full_page=True)


def _shipment_with_most_containers(catalogue: Catalogue) -> dict[str, Any]:
    def containers(shipment: dict[str, Any]) -> int:
        return sum(
            len(catalogue.children(p["sampleId"])) for p in catalogue.children(shipment["sampleId"])
        )

    return max(catalogue.of_type("shipment"), key=containers)


def test_shipment_view_lists_parcels_containers_and_samples_the_api_holds(
    admin_page: Any, catalogue: Catalogue, screenshots: Path
) -> None:
    shipment = _shipment_with_most_containers(catalogue)
    admin_page.goto(f"/samples/{shipment['sampleId']}")
    admin_page.get_by_test_id("shipment-link").click()
    admin_page.wait_for_url("**/shipments/**")
    status = catalogue.characteristic(shipment, "Shipping_shippingStatus")
    assert admin_page.inner_text("[data-testid=shipment-status]") == status
    parcels = catalogue.children(shipment["sampleId"])
    shown = admin_page.locator("[data-testid=parcel]")
    assert sorted(shown.evaluate_all("p => p.map(x => x.dataset.sampleId)")) == sorted(
        p["sampleId"] for p in parcels
    )
    collections: dict[str, int] = {}
    for dataset in catalogue.raw:
        collections[dataset.get("sampleId")] = collections.get(dataset.get("sampleId"), 0) + 1
    for parcel in parcels:
        block = admin_page.locator(f"[data-testid=parcel][data-sample-id='{parcel['sampleId']}']")
        assert block.locator(
            "[data-testid=parcel-status]"
        ).inner_text() == catalogue.characteristic(parcel, "Dewar_dewarStatus")
        containers = catalogue.children(parcel["sampleId"])
        assert sorted(
            block.locator("[data-testid=container]").evaluate_all(
                "c => c.map(x => x.dataset.sampleId)"
            )
        ) == sorted(c["sampleId"] for c in containers)
        for container in containers:
            box = block.locator(
                f"[data-testid=container][data-sample-id='{container['sampleId']}']"
            )
            assert box.locator(
                "[data-testid=container-status]"
            ).inner_text() == catalogue.characteristic(container, "Container_containerStatus")
            assert box.locator("[data-testid=puck-layout]").count() == 1
            crystals = catalogue.children(container["sampleId"])
            rows = box.locator("[data-testid=container-samples] tbody tr")
            assert sorted(rows.evaluate_all("r => r.map(x => x.dataset.sampleId)")) == sorted(
                c["sampleId"] for c in crystals
            )
            for crystal in crystals:
                count = box.locator(
                    f"tr[data-sample-id='{crystal['sampleId']}'] td[data-collections]"
                ).inner_text()
                assert count == str(collections.get(crystal["sampleId"], 0))
    admin_page.screenshot(path=str(screenshots / "shipment.png"), full_page=True)


def test_loading_table_matches_the_containers_changer_positions(
    admin_page: Any, catalogue: Catalogue
) -> None:
    checked_cells = set()
    for shipment in catalogue.of_type("shipment"):
        admin_page.goto(f"/shipments/{shipment['sampleId']}")
        loaded = [
            c
            for p in catalogue.children(shipment["sampleId"])
            for c in catalogue.children(p["sampleId"])
            if catalogue.characteristic(c, "Container_beamlineLocation")
            and catalogue.characteristic(c, "Container_sampleChangerLocation")
        ]
        rows = admin_page.locator("[data-testid=loading-table] tbody tr")
        assert rows.count() == len(loaded)
        for container in loaded:
            beamline = catalogue.characteristic(container, "Container_beamlineLocation")
            slot = int(catalogue.characteristic(container, "Container_sampleChangerLocation"))
            per_cell = POSITIONS_PER_CELL[catalogue.changer_of(beamline)]
            row = admin_page.locator(
                f"[data-testid=loading-table][data-beamline='{beamline}'] tr[data-container='{container['sampleId']}']"
            )
            assert row.locator("td[data-slot]").inner_text() == str(slot)
            cell, position = (slot - 1) // per_cell + 1, (slot - 1) % per_cell + 1
            assert row.locator("td[data-cell]").inner_text() == str(cell)
            assert row.locator("td[data-position]").inner_text() == str(position)
            assert row.locator("td").nth(3).inner_text() == catalogue.characteristic(
                container, "Container_containerType"
            )
            checked_cells.add(cell)
    assert len(checked_cells) >= 2, (
        "the recipe should load containers in more than one changer cell"
    )


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_datasets_list_at_1280_has_no_row_taller_than_three_lines(
    mx_page: Any, mx_backend: Backend, catalogue: Catalogue, screenshots: Path, signed_in: bool
) -> None:
    if signed_in:
        login(mx_page, mx_backend, "admin", "/datasets?per_page=100")
    else:
        mx_page.goto("/datasets?per_page=100")
    measured = mx_page.evaluate(
        """() => {
          const table = document.querySelector('[data-testid=datasets-table]');
          const cell = table.querySelector('tbody td.name');
          const style = getComputedStyle(cell);
          const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
          const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
          const rows = [...table.querySelectorAll('tbody tr')].map(r => r.getBoundingClientRect().height);
          const proposals = [...table.querySelectorAll('td.proposal')].map(td => ({
            cut: td.scrollWidth > td.clientWidth, right: td.getBoundingClientRect().right}));
          return {line, padding, rows, proposals, width: table.scrollWidth,
                  visible: table.parentElement.clientWidth, viewport: window.innerWidth};
        }"""
    )
    assert measured["rows"], "the list shows no datasets"
    limit = 3 * measured["line"] + measured["padding"] + 2
    assert max(measured["rows"]) <= limit, (
        f"a row is {max(measured['rows'])} px, over three lines ({limit} px)"
    )
    assert measured["width"] <= measured["visible"], (
        "the table scrolls sideways: the proposal column is cut"
    )
    assert all(not p["cut"] and p["right"] <= measured["viewport"] for p in measured["proposals"])
    folders = {d["pid"]: d.get("sourceFolder") for d in catalogue.raw + catalogue.derived}
    for row in mx_page.locator("[data-testid=datasets-table] tbody tr").all()[:25]:
        pid = row.get_attribute("data-pid")
        assert row.locator("td.pid a").get_attribute("title") == pid
        assert row.locator("td.pid button.copy").get_attribute("data-copy") == pid
        assert row.locator("td.folder .clip").get_attribute("title") == folders[pid]
    if signed_in:
        mx_page.screenshot(path=str(screenshots / "datasets-1280.png"), full_page=False)


def test_list_copy_button_copies_the_whole_pid(
    browser: Any, mx_frontend: str, catalogue: Catalogue
) -> None:
    context = browser.new_context(
        base_url=mx_frontend, viewport={"width": 1280, "height": 800},
        permissions=["clipboard-read", "clipboard-write"],
    )  # fmt: skip
    try:
        page = context.new_page()
        page.goto("/datasets")
        row = page.locator("[data-testid=datasets-table] tbody tr").first
        pid = row.get_attribute("data-pid")
        assert row.locator("td.pid a").inner_text() != pid, "the PID is shown shortened"
        row.locator("td.pid button.copy").click()
        assert page.evaluate("() => navigator.clipboard.readText()") == pid
    finally:
        context.close()
