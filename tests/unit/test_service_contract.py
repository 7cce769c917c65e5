"""Every service under services/ follows docs/service-contract.md: read from the sources, not imported."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scicatlive.catalogue.loader import load_entry
from scicatlive.paths import services_dir

SERVICES = sorted(p for p in services_dir().iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
PYTHON_SERVERS = sorted(
    package
    for service in SERVICES
    for package in (service / "src").glob("*/")
    if (package / "app.py").is_file()
)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _names(tree: ast.Module) -> set[str]:
    """What a module defines or imports, at any depth."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _label(path: Path) -> str:
    return path.relative_to(services_dir()).as_posix()


@pytest.mark.parametrize("service", SERVICES, ids=_label)
def test_each_folder_is_a_catalogue_entry(service: Path) -> None:
    """service.yaml validates, is named after its folder, and a local build has its Dockerfile and code."""
    entry = load_entry(service)
    local = [variant for variant in entry.definition.variants.values() if variant.build]
    if (service / "src").is_dir():
        assert local, f"{_label(service)} has code but no variant builds it"


@pytest.mark.parametrize("package", PYTHON_SERVERS, ids=_label)
def test_python_servers_share_one_template(package: Path) -> None:
    for module in ("__main__.py", "settings.py", "app.py", "errors.py"):
        assert (package / module).is_file(), f"{_label(package)} has no {module} (docs/service-contract.md)"
    settings = _names(_tree(package / "settings.py"))
    assert {"Settings", "SettingsError", "from_env"} <= settings, f"{_label(package)}/settings.py"
    assert "create_app" in _names(_tree(package / "app.py")), f"{_label(package)}/app.py has no create_app"
    assert "install_error_handlers" in _names(_tree(package / "errors.py")), f"{_label(package)}/errors.py"
    assert "main" in _names(_tree(package / "__main__.py")), f"{_label(package)}/__main__.py has no main()"
    uses_dependencies = any("Depends(" in module.read_text() for module in package.rglob("*.py"))
    if uses_dependencies:
        assert (package / "deps.py").is_file(), f"{_label(package)} has FastAPI dependencies but no deps.py"


@pytest.mark.parametrize("package", PYTHON_SERVERS, ids=_label)
def test_a_missing_setting_is_one_line_and_exit_2(package: Path) -> None:
    """Started with an empty environment, every server names what to set, on one line, and exits 2."""
    result = subprocess.run(
        [sys.executable, "-m", package.name],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(package.parent)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    service = package.parents[1].name
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith(f"{service}: "), result.stderr
    assert "Traceback" not in result.stderr
