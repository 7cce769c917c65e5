"""A view configuration of one's own changes the sections a dataset shows (against a seeded backend)."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator

import httpx
import pytest
from frontend_harness import Backend, form_login
from frontend_lite.app import create_app
from frontend_lite.settings import Settings
from mx_catalogue import Catalogue

from tests.support import serve_app

pytestmark = pytest.mark.database

CUSTOM = """
version: 1
views:
  - name: beam-only
    title: Beam check
    when: {type: raw, keywords: [MX], metadata: [wavelength]}
    sections:
      - type: fields
        title: Beam
        fields:
          - {label: Wavelength in nm, metadata: wavelength, unit: nm, digits: 5}
          - {label: Flux, metadata: flux, format: scientific, digits: 1}
          - {label: Not mapped yet, metadata: notInTheMapping}
      - type: files
"""


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="card[^"]*" aria-labelledby="([^"]+)"', html)


@pytest.fixture(scope="module")
def custom_frontend(
    mx_backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("custom-views")
    (folder / "views.yaml").write_text(CUSTOM)
    (folder / "config.json").write_text(json.dumps({"lbBaseURL": mx_backend.url}))
    settings = Settings.from_env(
        {
            "SESSION_SECRET": secrets.token_hex(24),
            "SCICAT_CONFIG_FILE": str(folder / "config.json"),
            "DATASET_VIEWS_FILE": str(folder / "views.yaml"),
        }
    )
    app = create_app(settings)
    with (
        serve_app(app) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        form_login(client, "admin", mx_backend.passwords["admin"])
        yield client


def test_a_custom_view_configuration_changes_the_sections(
    custom_frontend: httpx.Client, mx_frontend: str, mx_backend: Backend
) -> None:
    with mx_backend.client("admin") as api:
        catalogue = Catalogue.read(api)
    dataset = catalogue.richest_raw()
    wavelength = dataset["scientificMetadata"]["wavelength"]["value"]
    custom = custom_frontend.get(f"/datasets/{dataset['pid']}")
    assert custom.status_code == 200
    assert sections(custom.text) == ["beam", "file-information"]
    assert 'data-view="beam-only"' in custom.text and "Auto-processing" not in custom.text
    assert f'{wavelength / 10:.5f} <span class="unit">nm</span>' in custom.text
    assert re.search(
        r"Not mapped yet</dt>\s*<dd><span class=\"muted absent\">—</span>", custom.text
    )
    # The bundled configuration shows the MX sections for the same dataset.
    with httpx.Client(base_url=mx_frontend, timeout=30) as bundled:
        form_login(bundled, "admin", mx_backend.passwords["admin"])
        default = bundled.get(f"/datasets/{dataset['pid']}")
    assert sections(default.text)[:4] == [
        "summary",
        "beamline-parameters",
        "sample-and-session",
        "general-information",
    ]
    assert "auto-processing" in sections(default.text)
    # A dataset the custom file does not select gets the generic view.
    derived = custom_frontend.get(f"/datasets/{catalogue.derived_of(dataset['pid'])[0]['pid']}")
    assert sections(derived.text) == [
        "general-information", "creator-information", "file-information", "related-documents", "scientific-metadata",
    ]  # fmt: skip
    served = custom_frontend.get("/dataset-views.json").json()
    assert [view["name"] for view in served["views"]] == ["beam-only"]
