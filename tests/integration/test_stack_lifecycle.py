"""Bootstrap the base, build local images, bring a stack to healthy, tear it all down."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import psycopg
import pymysql
import pytest
from typer.testing import CliRunner

from scicatlive import Stack
from scicatlive.cli import app
from scicatlive.engine import Engine
from scicatlive.errors import PortConflict, StackError
from scicatlive.images.bases import debian_image, python_image
from scicatlive.images.bootstrap import bootstrap_debian, build_python_base, image_exists
from scicatlive.progress import SilentReporter
from tests.integration.conftest import leftovers, nothing_left
from tests.unit.helpers import write_profile

pytestmark = pytest.mark.docker

DATABASES = """
extends: _common
stack: {{name: {name}, port_offset: {offset}}}
services:
  postgres: {{}}
  mariadb: {{}}
"""


def test_base_images_bootstrap_from_the_host_mirror(engine: Engine) -> None:
    force = os.environ.get("SCICATLIVE_TEST_FORCE_BOOTSTRAP") == "1"
    assert bootstrap_debian(engine, SilentReporter(), force=force) == debian_image()
    assert build_python_base(engine, SilentReporter()) == python_image()
    assert image_exists(engine, debian_image()) and image_exists(engine, python_image())
    probe = engine.client().run(python_image(), ["python", "-c", "import sys; print(sys.version_info[:2])"], remove=True)
    assert "(3, 11)" in str(probe)


def test_small_stack_comes_up_healthy_and_leaves_nothing(engine: Engine, tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "dbs", DATABASES.format(name="it-dbs", offset=1000))
    stack = Stack(profile, port_offset=None, engine=engine)  # the profile's own offset
    try:
        result = stack.up(timeout=120)
        assert result.fresh
        assert {s.name: (s.state, s.health) for s in result.services} == {
            "postgres": ("running", "healthy"),
            "mariadb": ("running", "healthy"),
        }
        secrets = stack.credentials().secrets
        with psycopg.connect(host="127.0.0.1", port=15432 + 1000, user="scicat", dbname="scicat",
                             password=secrets["postgres_password"]) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == ("scicat",)
        connection = pymysql.connect(host="127.0.0.1", port=13306 + 1000, user="ispyb", database="ispyb",
                                     password=secrets["mariadb_password"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT DATABASE()")
            assert cursor.fetchone() == ("ispyb",)
        connection.close()
        # A second `up` with nothing changed reuses everything.
        again = stack.up(timeout=60)
        assert not again.fresh
        assert [s.ready for s in again.services] == [True, True]
    finally:
        stack.down(volumes=True)
    assert nothing_left(engine, stack.project), leftovers(engine, stack.project)


def test_a_failing_service_is_reported_with_its_logs_and_torn_down(engine: Engine, tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "broken", """
        extends: _common
        stack: {name: it-broken, port_offset: 2000}
        services:
          postgres: {environment: {POSTGRES_PASSWORD: ""}}
    """)
    stack = Stack(profile, port_offset=None, engine=engine)
    with pytest.raises(StackError) as caught:
        stack.up(timeout=60)
    message = str(caught.value)
    assert "stack 'it-broken' did not come up: postgres" in message
    assert "POSTGRES_PASSWORD must be set" in message
    assert nothing_left(engine, stack.project), leftovers(engine, stack.project)


def test_a_port_in_use_stops_up_before_anything_starts(engine: Engine, tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "busy", DATABASES.format(name="it-busy", offset=3000))
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 15432 + 3000))
        squatter.listen()
        with pytest.raises(PortConflict, match=r"port 18432 on 127.0.0.1, needed by postgres \(postgres\)"):
            Stack(profile, port_offset=None, engine=engine).up()
        result = CliRunner().invoke(app, ["up", "--profile", str(profile)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: port 18432 on 127.0.0.1, needed by postgres (postgres), is already in use")
    assert nothing_left(engine, "scicatlive-it-busy")


def test_images_save_and_load_round_trip(engine: Engine, tmp_path: Path) -> None:
    from scicatlive.images.transfer import load_images, save_images

    client = engine.client()
    copy = "scicatlive/transfer-test:1"
    client.image.tag(debian_image(), copy)
    archive = tmp_path / "images.tar"
    try:
        save_images(engine, [copy], archive)
        assert archive.stat().st_size > 10_000_000
        client.image.remove(copy)
        assert not image_exists(engine, copy)
        load_images(engine, archive)
        assert image_exists(engine, copy)
    finally:
        if image_exists(engine, copy):
            client.image.remove(copy)


def test_saving_a_missing_image_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    from scicatlive.errors import ImageError
    from scicatlive.images.transfer import save_images

    with pytest.raises(ImageError, match="cannot save images that are not here: scicatlive/nope:1"):
        save_images(engine, ["scicatlive/nope:1"], tmp_path / "x.tar")
    assert not (tmp_path / "x.tar").exists()
