"""A local build: the service folder and recipe an image is built from, and the tag that names it.

The tag is a digest of everything that goes into the build (see :mod:`.context`),
computed once per process and only when something needs the image's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from scicatlive.catalogue.model import BuildSpec
from scicatlive.images.bases import base_image_for
from scicatlive.images.context import build_digest


@dataclass(frozen=True)
class LocalBuild:
    folder: Path
    spec: BuildSpec
    repository: str

    @property
    def base_image(self) -> str:
        return base_image_for(self.spec.base)

    @cached_property
    def tag(self) -> str:
        return build_digest(self.folder, self.spec, self.base_image)

    @property
    def image(self) -> str:
        return f"{self.repository}:{self.tag}"


class NeedsImage(Protocol):
    """What image work needs of a service: its name, its image, and how to build it if local."""

    @property
    def name(self) -> str: ...

    @property
    def image(self) -> str: ...

    @property
    def build(self) -> LocalBuild | None: ...
