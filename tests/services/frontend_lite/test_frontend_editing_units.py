"""The editing features' pure parts, without a browser: scientific conditions (query string,
user settings, the editor's fields), the typed metadata editor and the History and
Lifecycle tabs' reading of what the backend holds."""

from __future__ import annotations

import json

import pytest
from frontend_lite.conditions import ConditionError, decode, from_editor, from_setting, make
from frontend_lite.dataset_history import history_entries, lifecycle_rows
from frontend_lite.forms import Posted
from frontend_lite.metadata_form import build_metadata, rows_from_form, rows_of

# -- scientific conditions ---------------------------------------------------------------------


def test_a_condition_round_trips_through_the_query_string_and_the_backend_shape() -> None:
    condition = from_editor("resolution", "≤", "2", "", "angstrom")
    assert condition.scientific() == {
        "lhs": "resolution",
        "relation": "LESS_THAN_OR_EQUAL",
        "rhs": 2.0,
        "unit": "angstrom",
    }
    assert decode(condition.encode()) == condition
    assert condition.text == "resolution ≤ 2 angstrom"
    assert from_setting(condition.setting()) == condition


@pytest.mark.parametrize(
    ("value", "relation", "rhs"),
    [("12.5", "EQUAL_TO_NUMERIC", 12.5), ("ID30A-1", "EQUAL_TO_STRING", "ID30A-1")],
)
def test_equals_picks_numeric_or_text_by_the_value_as_upstream(
    value: str, relation: str, rhs: object
) -> None:
    condition = from_editor("beamline", "=", value, "", "")
    assert (condition.relation, condition.rhs) == (relation, rhs)


def test_a_range_and_contains() -> None:
    in_range = from_editor("wavelength", "range", "90", "110", "pm")
    assert in_range.scientific()["rhs"] == [90.0, 110.0]
    assert in_range.text == "wavelength: 90 ↔ 110 pm"
    contains = from_editor("beamline", "contains", "ID", "", "nm")
    assert contains.scientific() == {
        "lhs": "beamline",
        "relation": "CONTAINS_STRING",
        "rhs": "ID",
        "unit": "",
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (("resolution", "≥", "two", "", ""), "value must be a number"),
        (("resolution", "<", " ", "", ""), "give a value"),
        (("resolution", "range", "3", "1", ""), "the minimum is above the maximum"),
        (("resolution", "range", "1", "", ""), "maximum must be a number"),
        (("", "<", "1", "", ""), "choose a metadata key"),
        (("resolution", "≈", "1", "", ""), "choose a relation"),
        (("resolution", "<", "nan", "", ""), "finite"),
    ],
)
def test_a_bad_condition_is_named(fields: tuple[str, str, str, str, str], message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        from_editor(*fields)


@pytest.mark.parametrize(
    "raw",
    ["[1,2]", "not json", '["k", "LESS_THAN"]', '["k", "LESS_THAN", 1, 5]', '["k", "NEAR", 1]'],
)
def test_a_bad_cond_parameter_is_refused(raw: str) -> None:
    with pytest.raises(ConditionError):
        decode(raw)


def test_unusable_or_disabled_settings_are_skipped() -> None:
    good = make("dose", "GREATER_THAN", 3, "MGy").setting()
    assert from_setting({**good, "enabled": False}) is None
    assert from_setting({"condition": {"lhs": "dose", "relation": "RANGE", "rhs": 3}}) is None
    assert from_setting("dose > 3") is None
    assert from_setting(good) == make("dose", "GREATER_THAN", "3", "MGy")


# -- the metadata editor -------------------------------------------------------------------


STORED = {
    "resolution": {"value": 1.8, "unit": "angstrom", "valueSI": 1.8e-10, "type": "quantity"},
    "beamline": "ID30A-1",
    "images": 3600,
    "goniometer": {"kappa": 0, "phi": [0, 90]},
}


def _posted(rows: list[dict[str, str]]) -> Posted:
    pairs = [(f"m{i}.{k}", v) for i, row in enumerate(rows) for k, v in row.items()]
    return Posted(pairs, csrf_ok=True)


def _as_form(metadata: dict[str, object]) -> list[dict[str, str]]:
    return [
        {
            "type": r.type,
            "human": r.human,
            "name": r.name,
            "value": r.value,
            "unit": r.unit,
            "original": r.original,
        }
        for r in rows_of(metadata)
    ]


def test_rows_left_as_they_were_keep_their_stored_entries_exactly() -> None:
    outcome = build_metadata(rows_from_form(_posted(_as_form(STORED))), STORED)
    assert not outcome.errors
    assert outcome.metadata == STORED


def test_changed_rows_are_typed_and_bad_values_named_by_field() -> None:
    form = _as_form(STORED)
    by_name = {row["name"]: row for row in form}
    by_name["images"]["value"] = "many"
    by_name["resolution"]["unit"] = ""
    by_name["beamline"]["remove"] = "1"
    form[-1] |= {"type": "number_range", "name": "oscillation", "value": "0, 0.1"}
    outcome = build_metadata(rows_from_form(_posted(form)), STORED)
    index = {row["name"]: i for i, row in enumerate(form)}
    assert outcome.errors.by_field == {
        f"m{index['images']}.value": ["Value must be a number"],
        f"m{index['resolution']}.unit": ["A unit is required for quantities"],
    }
    by_name["images"]["value"] = "7200"
    by_name["resolution"]["unit"] = "nm"
    outcome = build_metadata(rows_from_form(_posted(form)), STORED)
    assert not outcome.errors
    assert outcome.metadata["images"] == {
        "value": 7200.0,
        "unit": "",
        "human_name": "",
        "type": "number",
    }
    assert outcome.metadata["resolution"]["unit"] == "nm"
    assert outcome.metadata["oscillation"]["value"] == [0.0, 0.1]
    assert "beamline" not in outcome.metadata
    assert outcome.metadata["goniometer"] == STORED["goniometer"]  # JSON stays JSON


def test_duplicate_and_short_names_are_refused() -> None:
    form = _as_form({"beamline": "ID30A-1"})
    form[-1] |= {"name": "beamline", "value": "ID23-1"}
    form.append({"name": "x", "value": "1"})
    errors = build_metadata(rows_from_form(_posted(form)), {}).errors.by_field
    assert errors == {
        "m0.name": ["Name already exists"],
        "m1.name": ["Name already exists"],
        "m2.name": ["Name is required (at least 2 characters)"],
    }


# -- history and lifecycle ----------------------------------------------------------------


def test_history_lists_only_what_changed_newest_first() -> None:
    document = {"pid": "p/1", "ownerGroup": "g"}
    history = [
        {
            "updatedAt": "2026-01-01T10:00:00Z",
            "updatedBy": "ldap.pi",
            "datasetName": {"previousValue": "a", "currentValue": "b"},
            **{k: {"previousValue": v, "currentValue": v} for k, v in document.items()},
        },
        {
            "updatedAt": "2026-01-02T10:00:00Z",
            "updatedBy": "admin",
            "scientificMetadata": {
                "previousValue": {"dose": 1, "beam": "round"},
                "currentValue": {"dose": 2, "beam": "round"},
            },
        },
        {"updatedAt": "2026-01-03T10:00:00Z", "updatedBy": "admin", "pid": document["pid"]},
    ]
    newest, oldest = history_entries(history)
    assert [(c.field, c.before, c.after) for c in newest.changes] == [
        ("scientificMetadata.dose", "1", "2")
    ]
    assert oldest.who == "pi"
    assert [(c.field, c.before, c.after) for c in oldest.changes] == [("datasetName", "a", "b")]
    assert history_entries(None) == []


def test_lifecycle_rows_in_upstreams_order() -> None:
    rows = lifecycle_rows(
        {
            "retrievable": False,
            "archivable": True,
            "archiveStatusMessage": "datasetCreated",
            "archiveReturnMessage": {},
            "publishedOn": None,
        }
    )
    assert [(r.name, r.text) for r in rows] == [
        ("archivable", "yes"),
        ("retrievable", "no"),
        ("archiveStatusMessage", "datasetCreated"),
        ("publishedOn", "—"),
    ]
    assert lifecycle_rows(None) == []
    assert json.dumps([r.kind for r in rows]) == '["flag", "flag", "text", "time"]'
