"""The base of every facility-graph model: frozen, and strict about unknown keys."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class GraphModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ISPyB embeds related rows under their table name (``Crystal``, ``AutoProc``...); a
# field cannot share its annotation's name in a class body, so each such class gets
# an underscore alias right after its definition.
