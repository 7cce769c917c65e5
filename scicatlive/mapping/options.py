"""What the mapping leaves open (pid prefix, sample layout), and the ids it derives from natural keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scicatlive.defaults import DEFAULT_DOI_PREFIX, DEFAULT_PID_PREFIX
from scicatlive.domain import model as ispyb
from scicatlive.domain.keys import stable_uuid

SampleLayout = Literal["hierarchical", "flat"]
"""``hierarchical``: shipment → dewar → puck → crystal samples linked by ``parentSampleId``;
``flat``: crystals only, each carrying its puck, dewar and shipment as characteristics."""


class MappingOptions(BaseModel):
    """Choices the mapping leaves to the recipe or the profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pid_prefix: str = Field(
        default=DEFAULT_PID_PREFIX, min_length=1, description="the backend's PID_PREFIX"
    )
    sample_layout: SampleLayout = "hierarchical"
    doi_prefix: str = Field(
        default=DEFAULT_DOI_PREFIX, min_length=1, description="the prefix of the seeded published data's DOIs"
    )


@dataclass(frozen=True)
class Identifiers:
    """SciCat ids from ISPyB natural keys (see ``scicatlive.domain.model``)."""

    site: str
    pid_prefix: str
    doi_prefix: str = DEFAULT_DOI_PREFIX

    def _uuid(self, kind: str, key: str) -> str:
        return str(stable_uuid(self.site, kind, key))

    def instrument(self, beamline: str) -> str:
        return self._uuid("instrument", beamline)

    def shipping_sample(self, proposal: str, shipping_name: str) -> str:
        return self._uuid("shipping", f"{proposal}/{shipping_name}")

    def dewar_sample(self, bar_code: str) -> str:
        return self._uuid("dewar", bar_code)

    def container_sample(self, barcode: str) -> str:
        return self._uuid("container", barcode)

    def crystal_sample(self, container_barcode: str, location: int) -> str:
        return self._uuid("sample", f"{container_barcode}/{location}")

    def raw_dataset(self, collection: ispyb.DataCollection) -> str:
        return f"{self.pid_prefix}/{self._uuid('datacollection', collection.natural_key)}"

    def derived_dataset(self, collection: ispyb.DataCollection, program: ispyb.AutoProcProgram) -> str:
        key = f"{collection.natural_key}/{program.processingPrograms}"
        return f"{self.pid_prefix}/{self._uuid('autoprocprogram', key)}"

    def attachment(self, derived_pid: str, file_name: str) -> str:
        return self._uuid("attachment", f"{derived_pid}/{file_name}")

    def published_data(self, proposal: ispyb.Proposal) -> str:
        """The DOI of a proposal's published datasets."""
        return f"{self.doi_prefix}/{self._uuid('publisheddata', proposal.proposal)}"


def proposal_group(proposal: ispyb.Proposal) -> str:
    """The SciCat group owning everything of a proposal: its name in lower case."""
    return proposal.proposal.lower()


def beamline_group(beamline: str) -> str:
    return beamline.lower()
