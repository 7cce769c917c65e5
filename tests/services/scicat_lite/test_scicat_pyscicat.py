"""pyscicat's upload flow against scicat-lite (CamelCase v3 paths, loopback filters)."""

from __future__ import annotations

import pytest
from lite_harness import LiteServer
from pyscicat.client import ScicatClient
from pyscicat.model import Attachment, CreateDatasetOrigDatablockDto, DataFile, RawDataset

pytestmark = pytest.mark.database


def test_upload_flow(lite_server: LiteServer) -> None:
    client = ScicatClient(
        base_url=f"{lite_server.url}/api/v3",
        username="ingestor",
        password=lite_server.passwords["ingestor"],
    )
    dataset = RawDataset(
        owner="Ann",
        contactEmail="ann@example.org",
        creationLocation="/site/ID30",
        principalInvestigator="Ann",
        sourceFolder="/data/pyscicat/run7",
        creationTime="2024-05-01T12:00:00Z",
        datasetName="pyscicat run7",
        type="raw",
        ownerGroup="ingestor",
        accessGroups=["group1"],
        scientificMetadata={"energy": {"value": 12.4, "unit": "keV"}},
        keywords=["pyscicat"],
    )
    pid = client.upload_new_dataset(dataset)
    assert pid.startswith(f"{lite_server.pid_prefix}/")

    block = CreateDatasetOrigDatablockDto(
        size=300,
        dataFileList=[
            DataFile(path="a.h5", size=100, time="2024-05-01T12:00:00Z"),
            DataFile(path="b.h5", size=200, time="2024-05-01T12:00:00Z"),
        ],
    )
    client.upload_dataset_origdatablock(pid, block)
    attachment = Attachment(
        datasetId=pid,
        thumbnail="data:image/png;base64,AAAA",
        caption="preview",
        ownerGroup="ingestor",
    )
    client.upload_attachment(attachment)

    fetched = client.get_dataset_by_pid(pid)
    assert (fetched["size"], fetched["numberOfFiles"]) == (300, 2)
    assert [b["size"] for b in client.datasets_origdatablocks_get_one(pid)] == [300]

    found = client.get_datasets({"datasetName": "pyscicat run7"})
    assert [d["pid"] for d in found] == [pid]
    full = client.datasets_find(query_fields={"text": "pyscicat"})
    assert pid in [d["pid"] for d in full]


def test_group_member_sees_shared_dataset(lite_server: LiteServer) -> None:
    writer = ScicatClient(
        base_url=f"{lite_server.url}/api/v3",
        username="ingestor",
        password=lite_server.passwords["ingestor"],
    )
    pid = writer.upload_new_dataset(
        RawDataset(
            owner="Ann",
            contactEmail="ann@example.org",
            creationLocation="/x",
            principalInvestigator="Ann",
            sourceFolder="/data/shared",
            creationTime="2024-05-02T12:00:00Z",
            type="raw",
            ownerGroup="ingestor",
            accessGroups=["group1"],
        )
    )
    reader = ScicatClient(
        base_url=f"{lite_server.url}/api/v3",
        username="user1",
        password=lite_server.passwords["user1"],
    )
    assert reader.get_dataset_by_pid(pid)["pid"] == pid
