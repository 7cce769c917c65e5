"""Images: the host's apt mirror is read, never assumed; bootstrap refuses clearly."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from scicatlive.catalogue.model import BuildSpec
from scicatlive.errors import ImageError
from scicatlive.images import bootstrap, build
from scicatlive.images.apt import acquire_settings, debian_mirror, read_sources
from scicatlive.images.context import build_digest
from scicatlive.images.wheelhouse import target_tags
from scicatlive.progress import SilentReporter


def _apt_root(tmp_path: Path, sources_list: str = "", deb822: str = "", conf: str = "") -> Path:
    root = tmp_path / "apt"
    (root / "sources.list.d").mkdir(parents=True)
    (root / "apt.conf.d").mkdir()
    (root / "sources.list").write_text(sources_list)
    if deb822:
        (root / "sources.list.d" / "debian.sources").write_text(deb822)
    if conf:
        (root / "apt.conf.d" / "99proxy").write_text(conf)
    return root


DEB822 = """Types: deb
URIs: http://mirror.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.test/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://elsewhere.test/debian
Suites: bookworm
Components: main
"""


def test_deb822_sources_give_the_archive_and_its_updates(tmp_path: Path) -> None:
    mirror = debian_mirror("bookworm", _apt_root(tmp_path, deb822=DEB822))
    assert mirror.archive == "http://mirror.test/debian"
    assert mirror.sources_list().splitlines() == [
        "deb http://mirror.test/debian bookworm main",
        "deb http://mirror.test/debian bookworm-updates main",
        "deb http://mirror.test/debian-security bookworm-security main",
    ]


def test_one_line_sources_with_options(tmp_path: Path) -> None:
    root = _apt_root(tmp_path, "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://one.test/debian bookworm main contrib\n")
    sources = read_sources(root)
    assert [(s.uri, s.suites, s.components) for s in sources] == [
        ("http://one.test/debian", ("bookworm",), ("main", "contrib"))
    ]
    assert debian_mirror("bookworm", root).archive == "http://one.test/debian"


def test_no_mirror_for_the_suite_is_a_clear_error(tmp_path: Path) -> None:
    root = _apt_root(tmp_path, "deb http://ubuntu.test/ubuntu noble main\n")
    with pytest.raises(ImageError, match="no Debian mirror for 'bookworm' main") as caught:
        debian_mirror("bookworm", root)
    assert "SCICATLIVE_APT_MIRROR" in (caught.value.hint or "")


def test_mirror_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICATLIVE_APT_MIRROR", "http://override.test/debian/")
    assert debian_mirror("bookworm", _apt_root(tmp_path)).archive == "http://override.test/debian"


def test_acquire_settings_are_carried_into_images(tmp_path: Path) -> None:
    root = _apt_root(tmp_path, conf='Acquire::http::Proxy "http://proxy.test:3128";\nAPT::Other "x";\n')
    assert acquire_settings(root) == 'Acquire::http::Proxy "http://proxy.test:3128";\n'


def test_bootstrap_needs_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 1000)
    with pytest.raises(ImageError, match="needs root") as caught:
        bootstrap.check_bootstrap_possible()
    assert "images load" in (caught.value.hint or "")


def test_bootstrap_needs_debootstrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 0)
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: None)
    with pytest.raises(ImageError, match="needs debootstrap") as caught:
        bootstrap.check_bootstrap_possible()
    assert caught.value.hint == "apt-get install debootstrap"


def test_build_digest_follows_the_inputs(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text("ignored")
    spec = BuildSpec(base="debian")
    first = build_digest(tmp_path, spec, "scicatlive/base:bookworm")
    (tmp_path / "tests" / "t.py").write_text("still ignored")
    assert build_digest(tmp_path, spec, "scicatlive/base:bookworm") == first
    (tmp_path / "Dockerfile").write_text("FROM y\n")
    assert build_digest(tmp_path, spec, "scicatlive/base:bookworm") != first
    assert build_digest(tmp_path, spec, "scicatlive/base:trixie") != build_digest(tmp_path, spec, "scicatlive/base:bookworm")


def test_wheels_target_the_image_python_not_the_host() -> None:
    python, platforms = target_tags()
    assert python == "3.11"
    assert platforms[0].startswith("manylinux_2_36_")
    assert any(p.startswith("manylinux2014_") for p in platforms)


@pytest.mark.parametrize(
    ("reference", "listed"),
    [
        ("scicatlive/scicat-lite:abc123", "scicatlive/scicat-lite:abc123"),
        ("docker.io/library/postgres:16", "postgres:16"),
        ("docker.io/bitnami/openldap", "bitnami/openldap:latest"),
        ("mongo", "mongo:latest"),
        ("localhost:5000/backend", "localhost:5000/backend:latest"),
        ("ghcr.io/scicatproject/backend-next:v4.11", "ghcr.io/scicatproject/backend-next:v4.11"),
    ],
)
def test_references_are_matched_as_docker_images_lists_them(reference: str, listed: str) -> None:
    assert build._short_name(reference) == listed


def test_images_the_engine_lists_are_not_looked_up_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """One `docker images` call decides for every listed image; the rest are looked up one by one."""
    looked_up: list[str] = []
    monkeypatch.setattr(build, "build_service_image", lambda engine, service, *a, **k: looked_up.append(service.image))
    monkeypatch.setattr(build, "pull_image", lambda engine, service, *a, **k: looked_up.append(service.image))

    class Listing:
        def image_tags(self) -> set[str]:
            return {"postgres:16", "scicatlive/scicat-lite:abc"}

    services = [SimpleNamespace(image=i, build=None) for i in ("postgres:16", "scicatlive/scicat-lite:abc", "mongo:7")]
    build.ensure_images(Listing(), services, SilentReporter())  # type: ignore[arg-type]
    assert looked_up == ["mongo:7"]
    looked_up.clear()
    build.ensure_images(Listing(), services, SilentReporter(), rebuild=True)  # type: ignore[arg-type]
    assert looked_up == ["postgres:16", "scicatlive/scicat-lite:abc", "mongo:7"]
