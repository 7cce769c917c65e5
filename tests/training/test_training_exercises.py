"""The exercises: five clean notebooks that log in through scicatlive and say what they need."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scicatlive.errors import ConfigError
from scicatlive.training.exercises import exercises, notebooks_dir


def _notebooks() -> list[Path]:
    return sorted(notebooks_dir().glob("*.ipynb"))


def test_five_numbered_exercises_in_order() -> None:
    found = exercises()
    assert [e.file[:2] for e in found] == ["01", "02", "03", "04", "05"]
    assert [e.title.split(".")[0] for e in found] == ["1", "2", "3", "4", "5"]
    assert all(e.summary for e in found)


def test_only_the_archive_exercise_needs_jobs() -> None:
    assert {e.file: e.needs for e in exercises()} == {
        "01-search.ipynb": (), "02-ingest.ipynb": (), "03-crystal.ipynb": (), "04-share.ipynb": (),
        "05-archive.ipynb": ("jobs",),
    }


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebooks_are_clean_and_log_in_as_the_trainee(path: Path) -> None:
    notebook = json.loads(path.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code), "clear the outputs before committing"
    sources = ["".join(c["source"]) for c in code]
    assert "from scicatlive.training import connect" in sources[0]
    assert not any("password=" in s and "NEIGHBOUR_PASSWORD" not in s for s in sources), "no password in a notebook"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_files_the_notebooks_open_ship_with_them() -> None:
    assert (notebooks_dir() / "files" / "diffraction.png").read_bytes().startswith(b"\x89PNG")


def test_a_notebook_without_a_title_is_named(tmp_path: Path) -> None:
    (tmp_path / "01-x.ipynb").write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "no title"}]}))
    with pytest.raises(ConfigError, match=r"01-x.ipynb: the first markdown cell must start with a `# Title` line"):
        exercises(tmp_path)


def test_a_broken_notebook_is_named(tmp_path: Path) -> None:
    (tmp_path / "02-y.ipynb").write_text("{not json")
    with pytest.raises(ConfigError, match=r"02-y.ipynb: not a readable notebook"):
        exercises(tmp_path)
