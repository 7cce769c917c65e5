"""The view configuration and what it computes: selection, values and units, ranking, changers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from frontend_lite.models import Dataset, Instrument, Sample
from frontend_lite.settings import BUNDLED_VIEWS
from frontend_lite.views.config import (
    GENERIC_VIEW,
    ViewConfigError,
    load_view_config,
    parse_view_config,
    view_for,
)
from frontend_lite.views.fields import Related, fill, needs_of
from frontend_lite.views.processing import best_run, rank_runs, rule_text, summary
from frontend_lite.views.shipping import assemble, place
from frontend_lite.views.spacegroups import point_group_order
from frontend_lite.views.spec import ChangerGeometry, FieldSpec, ShipmentSpec
from frontend_lite.views.values import convert, lookup, show


def q(value: Any, unit: str = "") -> dict[str, Any]:
    return {"value": value, "unit": unit}


MX = load_view_config(BUNDLED_VIEWS)[0]


def raw(**changes: Any) -> Dataset:
    data: dict[str, Any] = {
        "pid": "p/raw",
        "type": "raw",
        "keywords": ["MX", "OSC"],
        "scientificMetadata": {"imagePrefix": q("lys"), "numberOfImages": q(3600)},
    }
    return Dataset.model_validate(data | changes)


def run(pid: str, program: str, sg: str, i_sig: float | None, status: str = "SUCCESS") -> Dataset:
    shells = (
        {
            name: {"meanIOverSigI": q(i_sig), "resolutionLimitLow": q(40.0, "angstrom"),
                   "resolutionLimitHigh": q(1.5, "angstrom"), "completeness": q(99.0, "%")}
            for name in ("overall", "innerShell", "outerShell")
        }
        if i_sig is not None
        else None
    )  # fmt: skip
    metadata: dict[str, Any] = {"processingPrograms": q(program), "processingStatus": q(status)}
    if shells:
        metadata |= {"spaceGroup": q(sg), "statistics": shells}
    return Dataset.model_validate(
        {"pid": pid, "type": "derived", "inputDatasets": ["p/raw"], "scientificMetadata": metadata}
    )


def test_the_bundled_mx_configuration_chooses_views() -> None:
    assert view_for(MX, raw()).name == "mx-raw"
    assert view_for(MX, raw(keywords=["SAXS"])) is GENERIC_VIEW
    assert view_for(MX, raw(scientificMetadata={"imagePrefix": q("x")})) is GENERIC_VIEW
    assert view_for(MX, run("p/d", "xia2", "P 1", 3.0)).name == "mx-processed"
    assert view_for(MX, Dataset(pid="x", type="derived")) is GENERIC_VIEW


def test_when_conditions_combine_and_techniques_match_by_name_or_pid() -> None:
    config = parse_view_config(
        {
            "views": [
                {
                    "name": "tech",
                    "when": {"techniques": ["MX"], "type": "raw"},
                    "sections": [{"type": "general"}],
                }
            ]
        },
        "t.yaml",
    )
    with_name = raw(techniques=[{"name": "MX", "pid": "t/1"}])
    with_pid = raw(techniques=[{"name": "x-ray", "pid": "MX"}])
    assert view_for(config, with_name).name == view_for(config, with_pid).name == "tech"
    assert view_for(config, raw()) is GENERIC_VIEW
    assert (
        view_for(
            config, run("d", "p", "P1", 1.0).model_copy(update={"techniques": [{"name": "MX"}]})
        )
        is GENERIC_VIEW
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "t.yaml: must be a mapping with a views list"),
        (
            {"views": [{"name": "Bad Name", "sections": [{"type": "general"}]}]},
            "views[0].name: must be lowercase",
        ),
        (
            {"views": [{"name": "a", "sections": []}]},
            "views[0].sections: List should have at least 1 item",
        ),
        (
            {"views": [{"name": "a", "sections": [{"type": "chart"}]}]},
            "views[0].sections[0]: Input tag 'chart'",
        ),
        (
            {
                "views": [
                    {
                        "name": "a",
                        "sections": [
                            {
                                "type": "fields",
                                "fields": [{"label": "x", "metadata": "a", "sample": "b"}],
                            }
                        ],
                    }
                ]
            },
            "views[0].sections[0].fields[0]: give exactly one source (metadata, dataset, sample, container, instrument, proposal); found metadata, sample",
        ),
        (
            {
                "views": [
                    {
                        "name": "a",
                        "sections": [
                            {
                                "type": "fields",
                                "fields": [{"label": "x", "metadata": "a", "digits": 40}],
                            }
                        ],
                    }
                ]
            },
            "views[0].sections[0].fields[0].digits",
        ),
        (
            {"views": [{"name": "a", "sections": [{"type": "processing"}]}]},
            "needs a processing block",
        ),
        (
            {"views": [{"name": "a", "sections": [{"type": "general"}]}] * 2},
            "names must differ; repeated: a",
        ),
        ({"views": [], "colour": "red"}, "colour: Extra inputs are not permitted"),
        (
            {
                "views": [
                    {"name": "a", "when": {"keyword": ["MX"]}, "sections": [{"type": "general"}]}
                ]
            },
            "views[0].when.keyword: Extra inputs",
        ),
    ],
)
def test_bad_configurations_name_file_and_key(data: Any, message: str) -> None:
    with pytest.raises(ViewConfigError) as error:
        parse_view_config(data, "t.yaml")
    assert str(error.value).startswith("t.yaml: ") and message in str(error.value)


def test_processing_block_is_checked(tmp_path: Path) -> None:
    text = BUNDLED_VIEWS.read_text().replace("best: {shell: overall,", "best: {shell: middle,")
    path = tmp_path / "views.yaml"
    path.write_text(text)
    with pytest.raises(
        ViewConfigError,
        match=r"views.yaml: processing: .*best.shell: 'middle' is not one of the shells",
    ):
        load_view_config(path)
    path.write_text("views: [\n")
    with pytest.raises(ViewConfigError, match=r"views.yaml: not valid YAML \(line 2, column 1\)"):
        load_view_config(path)
    with pytest.raises(ViewConfigError, match="not found"):
        load_view_config(tmp_path / "missing.yaml")


def test_lookup_values_units_and_digits() -> None:
    data = {"statistics": {"overall": {"rMerge": q(0.0612)}}, "Container.code": q("P1")}
    assert lookup(data, "statistics.overall.rMerge") == q(0.0612)
    assert lookup(data, "Container.code") == q("P1")
    assert lookup(data, "statistics.inner") is None and lookup(None, "a") is None
    assert show(q(0.97626, "angstrom"), unit="angstrom", digits=4).display == "0.9763 Å"
    assert show(q(0.02, "mm"), unit="um", digits=0).display == "20 µm"
    assert show(q(12.7, "keV"), unit="eV", digits=0).display == "12700 eV"
    assert show(q(5.2, "%"), unit="%", digits=1).display == "5.2%"
    assert show(q(270, "deg"), unit="deg", digits=1).display == "270.0°"
    assert (
        show(q(1.8e11, "s^-1"), unit="s^-1", digits=2, style="scientific").display == "1.80e+11 s⁻¹"
    )
    # A unit this module cannot convert is shown as stored, never relabelled.
    assert show(q(3.0, "furlong"), unit="mm", digits=1).display == "3.0 furlong"
    assert show(q(None)).display == "—" and show(None).display == "—" and show("").display == "—"
    assert show(q("Data collection successful")).display == "Data collection successful"
    assert show(q(True)).display == "true"
    assert convert(1.0, "keV", "angstrom") is None and convert(
        1.0, "nm", "angstrom"
    ) == pytest.approx(10)


def test_fields_read_sample_container_and_links() -> None:
    sample = Sample(
        sampleId="s/1",
        sampleName="lys-x1",
        parentSampleId="c/1",
        sampleCharacteristics={"BLSample_location": q(5), "Protein_acronym": q("LYS")},
    )
    container = Sample(sampleId="c/1", sampleName="Puck-1", sampleCharacteristics={})
    dataset = raw(sampleId="s/1", proposalId="MX1", scientificMetadata={"session": q("MX1-2")})
    related = Related(dataset, sample, container)
    specs = {
        "sample": FieldSpec(label="S", sample="sampleName", link="sample"),
        "position": FieldSpec(label="P", sample="BLSample_location"),
        "container": FieldSpec(label="C", container="sampleName", link="container"),
        "session": FieldSpec(label="Se", metadata="session", link="session"),
        "proposal": FieldSpec(label="Pr", dataset="proposalId", link="proposal"),
        "missing": FieldSpec(label="M", metadata="sigAno"),
    }
    shown = {name: fill(spec, related) for name, spec in specs.items()}
    assert (shown["sample"].text, shown["sample"].href) == ("lys-x1", "/samples/s/1")
    assert shown["position"].text == "5" and shown["container"].href == "/samples/c/1"
    assert shown["session"].href == "/sessions/MX1-2" and shown["proposal"].href == "/proposals/MX1"
    assert shown["missing"].display == "—" and shown["missing"].href is None
    assert fill(specs["sample"], Related(dataset)).display == "—"
    needs = needs_of(specs.values())
    assert needs.sample and needs.container and not needs.instrument and not needs.proposal


@pytest.mark.parametrize(
    ("symbol", "order"),
    [("P 1", 1), ("P 1 21 1", 2), ("C 1 2 1", 2), ("P 21 21 21", 4), ("P212121", 4), ("I 21 3", 12),
     ("P 43 21 2", 8), ("H 3", 3), ("R 3 2", 6), ("P 61 2 2", 12), ("F 41 3 2", 24), ("P 4/m", None), ("", None)],
)  # fmt: skip
def test_point_group_orders(symbol: str, order: int | None) -> None:
    assert point_group_order(symbol) == order


def test_best_run_rule_symmetry_then_statistic_then_name() -> None:
    spec = MX.processing
    assert spec is not None
    runs = [
        run("p/a", "fast_dp", "P 21 21 21", 20.0),
        run("p/b", "xia2 dials", "P 43 21 2", 12.0),  # higher symmetry wins over a better I/σ
        run("p/c", "autoPROC", "P 43 21 2", 14.0),
        run("p/d", "EDNA_proc", "", None, status="FAILED"),
        run("p/e", "xia2 3dii", "P 43 21 2", 30.0, status="FAILED"),  # failed never wins
    ]
    ranked = rank_runs(runs, spec)
    assert [r.dataset.pid for r in ranked] == ["p/c", "p/b", "p/a", "p/d", "p/e"]
    assert [r.best for r in ranked] == [True, False, False, False, False]
    assert best_run(runs[3:4], spec) is None
    best = best_run(runs, spec)
    assert best is not None and summary(
        best, "overall", ["resolutionLimitHigh", "completeness"]
    ) == [
        ("Resolution (Å)", "40.00 – 1.50"),
        ("Completeness (%)", "99.0"),
    ]
    assert "highest symmetry" in rule_text(
        spec
    ) and "higher I/σ(I) in the overall shell" in rule_text(spec)


def test_changer_places_follow_the_geometry() -> None:
    flex = ChangerGeometry(cells=8, positions=3)
    assert [(p.cell, p.position) for p in (place(str(n), "ID30B", "FlexHCD", flex) for n in (1, 3, 4, 24))] == [
        (1, 1), (1, 3), (2, 1), (8, 3)
    ]  # fmt: skip
    assert place("25", "ID30B", "FlexHCD", flex).cell is None
    assert (
        place("7", "X", "", None).position is None and place("A1", "X", "CATS", flex).slot is None
    )


def test_shipment_assembly_and_loading_table() -> None:
    def sample(sid: str, kind: str, parent: str | None, **chars: Any) -> Sample:
        return Sample(
            sampleId=sid, sampleName=sid, type=kind, parentSampleId=parent,
            sampleCharacteristics={k: q(v) for k, v in chars.items()},
        )  # fmt: skip

    shipment = sample("ship", "shipment", None, Shipping_shippingStatus="at ESRF")
    parcels = [sample("dewar", "dewar", "ship", Dewar_dewarStatus="processing")]
    containers = [
        sample("puck-b", "puck", "dewar", Container_containerType="Unipuck", Container_capacity=16,
               Container_beamlineLocation="ID30B", Container_sampleChangerLocation="5"),
        sample("puck-a", "puck", "dewar", Container_containerType="Spinepuck", Container_capacity=10,
               Container_beamlineLocation="ID30B", Container_sampleChangerLocation="2"),
        sample("puck-c", "puck", "dewar", Container_containerType="Unipuck", Container_capacity=16),
    ]  # fmt: skip
    crystals = [sample("x1", "crystal", "puck-a", BLSample_location=3)]
    instruments = [
        Instrument(pid="i", uniqueName="ID30B", customMetadata={"sampleChangerType": q("FlexHCD")})
    ]
    spec = ShipmentSpec(changers={"FlexHCD": ChangerGeometry(cells=8, positions=3)})
    view = assemble(shipment, parcels, containers, crystals, {"x1": 2}, instruments, spec)
    assert view.status == "at ESRF" and view.parcels[0].status == "processing"
    rows = view.loading["ID30B"]
    assert [(r.container.sample.sampleId, r.place.cell, r.place.position) for r in rows] == [
        ("puck-a", 1, 2),
        ("puck-b", 2, 2),
    ]
    assert view.not_loaded == 1 and view.changers == {"ID30B": "FlexHCD"}
    puck_a = view.parcels[0].containers[0]
    assert puck_a.sample.sampleId == "puck-a" and puck_a.layout is not None
    assert [(c.position, c.collections) for c in puck_a.crystals] == [(3, 2)]
