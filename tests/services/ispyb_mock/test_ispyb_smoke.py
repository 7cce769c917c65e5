import pytest

from ispyb_mock import API_PREFIX as API

pytestmark = pytest.mark.database


def test_bulk_then_read(client, auth, load):
    result = load()
    assert result["created"]["BLSample"] == 2
    again = load()
    assert again["updated"]["BLSample"] == 2 and "BLSample" not in again["created"]
    for path in ["/proposals", "/sessions", "/shippings", "/dewars", "/containers", "/samples", "/proteins", "/events"]:
        reply = client.get(API + path, headers=auth("alice"))
        assert reply.status_code == 200, (path, reply.text)
        print(path, reply.json()["total"], str(reply.json()["results"][0])[:300])
