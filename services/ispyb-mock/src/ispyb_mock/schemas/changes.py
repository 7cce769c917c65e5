"""The change feed (a scicatlive extension: py-ISPyB has no change log)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Change(BaseModel):
    position: int = Field(description="The commit-ordered position of the entity's last change")
    type: Literal["session", "dc", "processing"]
    id: int = Field(description="sessionId, dataCollectionId or autoProcProgramId")
    sessionId: int
    dataCollectionId: int | None
    autoProcProgramId: int | None
    proposal: str


class ChangePage(BaseModel):
    """py-ISPyB's page (``total`` = changes after the cursor) with the feed's cursor."""

    total: int
    results: list[Change]
    skip: int
    limit: int
    next: str = Field(description="Pass as 'after' for the next page; record it to resume")
    head: int = Field(description="The feed's last position: the follower's lag is head - position")
    epoch: str = Field(
        description="Changes when the database is replaced or restored: restart from 0 then"
    )
