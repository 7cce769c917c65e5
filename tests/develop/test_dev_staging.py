"""Staging a dev build context, and re-staging it while `--watch` runs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scicatlive.develop import images
from scicatlive.develop.sources import dev_sources
from scicatlive.develop.watch import Restager, watch_command
from scicatlive.errors import ImageError
from scicatlive.paths import services_dir
from scicatlive.engine import Engine
from scicatlive.stack.load import load_stack


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    target = tmp_path / "scicat-lite"
    shutil.copytree(services_dir() / "scicat-lite", target)
    (target / "tests").mkdir(exist_ok=True)
    (target / "tests" / "test_x.py").write_text("")
    return target


@pytest.fixture
def wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The host's pip, replaced: records which requirements it was asked for."""
    asked: list[str] = []

    def fake_wheelhouse(requirements: Path) -> Path:
        text = requirements.read_text()
        if "no-such-package" in text:
            raise ImageError("cannot fill the wheelhouse: No matching distribution found for no-such-package")
        asked.append(text)
        folder = tmp_path / f"wheels-{len(asked)}"
        folder.mkdir()
        (folder / f"pkg{len(asked)}-1.0-py3-none-any.whl").write_bytes(b"wheel")
        return folder

    monkeypatch.setattr(images, "wheelhouse_for", fake_wheelhouse)
    return asked


def _source(checkout: Path):  # type: ignore[no-untyped-def]
    return dev_sources(load_stack("lite", stack="dev"), {"scicat-lite": str(checkout)})["scicat-lite"]


def test_stage_copies_the_build_files_and_a_wheelhouse(checkout: Path, wheels: list[str]) -> None:
    folder = images.stage("dev", _source(checkout))
    assert (folder / "Dockerfile").read_bytes() == (checkout / "Dockerfile").read_bytes()
    assert (folder / "src" / "scicat_lite" / "app.py").is_file()
    assert not (folder / "tests").exists()
    assert [p.name for p in (folder / "wheelhouse").iterdir()] == ["pkg1-1.0-py3-none-any.whl"]
    assert folder == Path(os.environ["SCICATLIVE_STATE_DIR"]) / "stacks" / "dev" / "dev" / "scicat-lite"


def test_restaging_drops_deleted_files_and_old_wheels(checkout: Path, wheels: list[str]) -> None:
    source = _source(checkout)
    images.stage("dev", source)
    (checkout / "src" / "scicat_lite" / "units.py").unlink()
    folder = images.stage("dev", source)
    assert not (folder / "src" / "scicat_lite" / "units.py").exists()
    assert [p.name for p in (folder / "wheelhouse").iterdir()] == ["pkg2-1.0-py3-none-any.whl"]


def test_watch_restages_when_requirements_change(checkout: Path, wheels: list[str]) -> None:
    source = _source(checkout)
    images.stage("dev", source)
    messages: list[str] = []
    restager = Restager("dev", {"scicat-lite": source}, messages.append)
    assert restager.poll_once() == []
    (checkout / "requirements.txt").write_text((checkout / "requirements.txt").read_text() + "six>=1.16\n")
    os.utime(checkout / "requirements.txt", (1, 1))
    assert restager.poll_once() == ["scicat-lite"]
    staged = images.stage_digest(images.staging_dir("dev", "scicat-lite"))
    assert "six>=1.16" in (images.staging_dir("dev", "scicat-lite") / "requirements.txt").read_text()
    assert messages == ["scicat-lite: dependencies changed, its image is rebuilt"]
    assert restager.poll_once() == [] and images.stage_digest(images.staging_dir("dev", "scicat-lite")) == staged


def test_a_requirement_pip_cannot_find_keeps_the_old_context(checkout: Path, wheels: list[str]) -> None:
    source = _source(checkout)
    folder = images.stage("dev", source)
    before = (folder / "requirements.txt").read_text()
    messages: list[str] = []
    restager = Restager("dev", {"scicat-lite": source}, messages.append)
    (checkout / "requirements.txt").write_text("no-such-package\n")
    os.utime(checkout / "requirements.txt", (2, 2))
    assert restager.poll_once() == []
    assert (folder / "requirements.txt").read_text() == before  # compose's rebuild rule does not fire
    assert messages == ["scicat-lite: not rebuilt: cannot fill the wheelhouse: No matching distribution found for no-such-package"]


def test_watch_runs_compose_watch_on_the_stack() -> None:
    command = watch_command(Engine(host="unix:///x.sock"), "scicatlive-dev", Path("/s/compose.yaml"))
    assert command[0] == "docker" and command[3:5] == ["--host", "unix:///x.sock"]
    assert command[5:] == ["compose", "--project-name", "scicatlive-dev", "--file", "/s/compose.yaml", "watch"]
