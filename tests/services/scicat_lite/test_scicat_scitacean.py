"""scitacean's client against scicat-lite: its models must parse what the backend answers."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database


def test_scitacean_reads_a_dataset_with_its_files(lite_server: LiteServer) -> None:
    from scitacean import Client

    api = f"{lite_server.url}/api/v3"
    account = {"username": "ingestor", "password": lite_server.passwords["ingestor"]}
    token = httpx.post(f"{api}/auth/login", json=account).json()["id"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "type": "raw", "owner": "Ann", "contactEmail": "ann@example.org", "creationLocation": "/site/ID30",
        "principalInvestigator": "Ann", "sourceFolder": "/data/scitacean/run3", "creationTime": "2024-05-01T12:00:00Z",
        "datasetName": "scitacean run3", "ownerGroup": "ingestor", "accessGroups": ["group1"],
        "scientificMetadata": {"energy": {"value": 12.4, "unit": "keV"}}, "keywords": ["scitacean"],
    }  # fmt: skip
    created = httpx.post(f"{api}/datasets", json=body, headers=headers)
    assert created.status_code in (200, 201), created.text
    pid = created.json()["pid"]
    block = {"size": 300, "dataFileList": [{"path": "a.h5", "size": 100, "time": "2024-05-01T12:00:00Z"},
                                           {"path": "b.h5", "size": 200, "time": "2024-05-01T12:00:00Z"}]}  # fmt: skip
    blocks = httpx.post(f"{api}/datasets/{quote(pid, safe='')}/origdatablocks", json=block, headers=headers)
    assert blocks.status_code in (200, 201), blocks.text

    client = Client.from_token(url=api, token=token, allow_http=True)
    dataset = client.get_dataset(pid)
    assert (str(dataset.pid), dataset.name, dataset.owner_group) == (pid, "scitacean run3", "ingestor")
    assert sorted(f.remote_path.posix for f in dataset.files) == ["a.h5", "b.h5"]
    assert dataset.size == 300
    assert (dataset.meta["energy"]["value"], dataset.meta["energy"]["unit"]) == (12.4, "keV")
