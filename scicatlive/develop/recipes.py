"""A service's dev recipe: ``services/<name>/dev.yaml``.

Two kinds:

``mount`` (our Python services)
    the checkout's ``code`` folders are bind-mounted over the image's, and compose's
    ``develop.watch`` restarts the container when they change and rebuilds the image
    (from a build context scicatlive stages, wheelhouse included) when ``rebuild_on``
    files change.
``checkout`` (the upstream Node services, as SciCatLive's DEV mode runs them)
    the image is built from the checkout at ``build_target``, the checkout is mounted
    at ``workdir`` with ``keep`` folders left to the container (``node_modules``), and
    the app's own watcher (``command``) reloads it; ``port`` is published.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from scicatlive.catalogue.loader import CatalogueEntry
from scicatlive.catalogue.model import Healthcheck, Port
from scicatlive.paths import display
from scicatlive.validation import StrictModel, load_yaml_mapping, validate

RECIPE_FILE = "dev.yaml"
RelativePath = Annotated[str, Field(min_length=1, pattern=r"^[^/]")]


class CodeFolder(StrictModel):
    path: RelativePath = Field(description="folder of the checkout")
    target: str = Field(pattern=r"^/", description="where the image has it")


class DevRecipe(StrictModel):
    kind: Literal["mount", "checkout"]
    description: str = ""
    code: list[CodeFolder] = Field(default_factory=list, description="mount: folders mounted over the image's")
    rebuild_on: list[RelativePath] = Field(default_factory=list, description="files whose change rebuilds the image")
    build_target: str | None = Field(default=None, description="checkout: the Dockerfile stage to build")
    workdir: str | None = Field(default=None, pattern=r"^/", description="checkout: where the checkout is mounted")
    keep: list[RelativePath] = Field(default_factory=list, description="checkout: folders the container keeps")
    command: list[str] | None = None
    port: Port | None = Field(default=None, description="checkout: the dev server's port, published as is")
    healthcheck: Healthcheck | None = None
    files_moved: dict[str, str] = Field(
        default_factory=dict, description="generated files' targets in the released image → in the checkout"
    )
    required: list[RelativePath] = Field(default_factory=list, description="files a checkout must have")


def recipe_path(entry: CatalogueEntry) -> Path:
    return entry.folder / RECIPE_FILE


def load_recipe(entry: CatalogueEntry) -> DevRecipe | None:
    """The service's dev recipe, or None when it has none."""
    path = recipe_path(entry)
    if not path.is_file():
        return None
    recipe = validate(DevRecipe, load_yaml_mapping(path), display(path))
    return recipe
