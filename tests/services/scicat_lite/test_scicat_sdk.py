"""scicat-sdk-py (the official OpenAPI SDK) against scicat-lite: every response must parse."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import scicat_sdk_py as sdk
from lite_harness import LiteServer, sdk_client
from scicat_sdk_py.exceptions import NotFoundException

pytestmark = pytest.mark.database


def _api(server: LiteServer, username: str) -> Iterator[sdk.ApiClient]:
    with sdk_client(server, username) as client:
        yield client


@pytest.fixture()
def admin(lite_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _api(lite_server, "admin")


@pytest.fixture()
def ingestor(lite_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _api(lite_server, "ingestor")


@pytest.fixture()
def archiver(lite_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _api(lite_server, "archiveManager")


def test_login_response_parses(lite_server: LiteServer) -> None:
    with sdk.ApiClient(sdk.Configuration(host=lite_server.url)) as client:
        login = sdk.AuthApi(client).auth_controller_login_v3(
            sdk.CredentialsDto(username="user1", password=lite_server.passwords["user1"])
        )
    assert login.id == login.access_token
    assert login.user.username == "user1"
    assert login.expires_in == login.ttl == 3600


def test_health(admin: sdk.ApiClient) -> None:
    assert sdk.HealthApi(admin).health_controller_check_v3().status == "ok"


def test_proposal_lifecycle(lite_server: LiteServer, archiver: sdk.ApiClient) -> None:
    for client in _api(lite_server, "proposalIngestor"):
        api = sdk.ProposalsApi(client)
        proposal_id = f"p-{uuid.uuid4().hex[:8]}"
        created = api.proposals_controller_create_v3(
            sdk.CreateProposalDto(
                proposalId=proposal_id,
                email="pi@example.org",
                title="Water",
                ownerGroup="group1",
                MeasurementPeriodList=[
                    sdk.CreateMeasurementPeriodDto(
                        instrument="ID30", start="2024-01-01T00:00:00Z", end="2024-01-02T00:00:00Z"
                    )
                ],
            )
        )
        assert created.proposal_id == proposal_id and created.type == "Default Proposal"
        assert (
            created.measurement_period_list
            and created.measurement_period_list[0].instrument == "ID30"
        )
        assert api.proposals_controller_find_by_id_v3(proposal_id).title == "Water"
        found = api.proposals_controller_find_all_v3(
            filters=json.dumps({"where": {"proposalId": proposal_id}})
        )
        assert [p.proposal_id for p in found] == [proposal_id]
        updated = api.proposals_controller_update_v3(
            proposal_id, sdk.PartialUpdateProposalDto(title="Ice", parentProposalId="parent-1")
        )
        assert (updated.title, updated.parent_proposal_id) == ("Ice", "parent-1")
        with pytest.raises(sdk.ApiException) as duplicate:
            api.proposals_controller_create_v3(
                sdk.CreateProposalDto(
                    proposalId=proposal_id, email="pi@example.org", title="x", ownerGroup="g"
                )
            )
        assert duplicate.value.status == 409
    sdk.ProposalsApi(archiver).proposals_controller_remove_v3(proposal_id)
    with pytest.raises(NotFoundException):
        sdk.ProposalsApi(archiver).proposals_controller_find_by_id_v3(proposal_id)


def test_sample_lifecycle(ingestor: sdk.ApiClient, archiver: sdk.ApiClient) -> None:
    api = sdk.SamplesApi(ingestor)
    created = api.samples_controller_create_v3(
        sdk.CreateSampleDto(
            sampleName="lysozyme",
            ownerGroup="ingestor",
            proposalId="p1",
            parentSampleId="parent",
            sampleCharacteristics={"mass": {"value": 12, "unit": "mg"}},
        )
    )
    assert created.sample_name == "lysozyme" and created.sample_id
    assert created.sample_characteristics["mass"]["unitSI"] == "kg"
    fetched = api.samples_controller_find_by_id_v3(created.sample_id)
    assert fetched.parent_sample_id == "parent"
    listed = api.samples_controller_find_all_v3(
        filter=json.dumps({"where": {"sampleName": "lysozyme"}})
    )
    assert created.sample_id in [s.sample_id for s in listed]
    updated = api.samples_controller_update_v3(
        created.sample_id, sdk.PartialUpdateSampleDto(description="crystal")
    )
    assert updated.description == "crystal"
    sdk.SamplesApi(archiver).samples_controller_remove_v3(created.sample_id)
    with pytest.raises(NotFoundException):
        api.samples_controller_find_by_id_v3(created.sample_id)


def test_instrument_lifecycle(admin: sdk.ApiClient, archiver: sdk.ApiClient) -> None:
    api = sdk.InstrumentsApi(admin)
    unique = f"ID-{uuid.uuid4().hex[:6]}"
    pid = f"instrument/{unique}"
    created = api.instruments_controller_create_v3(
        sdk.CreateInstrumentDto(pid=pid, uniqueName=unique, name="Beamline")
    )
    assert created.pid == pid
    assert created.unique_name == unique
    assert api.instruments_controller_find_by_id_v3(created.pid)["name"] == "Beamline"
    listed = api.instruments_controller_find_all_v3(
        filter=json.dumps({"where": {"uniqueName": unique}})
    )
    assert [i.pid for i in listed] == [created.pid]
    updated = api.instruments_controller_update_v3(
        created.pid, sdk.PartialUpdateInstrumentDto(name="BL")
    )
    assert updated["name"] == "BL"
    with pytest.raises(sdk.ApiException) as duplicate:
        api.instruments_controller_create_v3(
            sdk.CreateInstrumentDto(pid=pid + "x", uniqueName=unique, name="again")
        )
    assert duplicate.value.status == 409
    sdk.InstrumentsApi(archiver).instruments_controller_remove_v3(created.pid)


def _raw_v3() -> sdk.CreateRawDatasetObsoleteDto:
    return sdk.CreateRawDatasetObsoleteDto(
        ownerGroup="ingestor",
        owner="Ann",
        contactEmail="ann@example.org",
        sourceFolder="/data/raw/run1",
        datasetName="run1",
        creationTime="2024-03-01T10:00:00Z",
        principalInvestigator="Ann",
        creationLocation="/site/ID30",
        type="raw",
        proposalId="p1",
        scientificMetadata={"temperature": {"value": 20, "unit": "degC"}},
    )


def test_raw_dataset_v3_lifecycle(ingestor: sdk.ApiClient, archiver: sdk.ApiClient) -> None:
    api = sdk.DatasetsApi(ingestor)
    created = api.datasets_controller_create_v3(sdk.DatasetsControllerCreateV3Request(_raw_v3()))
    assert created.pid.startswith("20.500.12269/")
    assert created.principal_investigator == "Ann" and created.proposal_id == "p1"
    assert created.scientific_metadata["temperature"]["valueSI"] == pytest.approx(293.15)
    fetched = api.datasets_controller_find_by_id_v3(created.pid)
    assert fetched.datasetlifecycle and fetched.datasetlifecycle.archivable is True
    found = api.datasets_controller_find_all_v3(filter=json.dumps({"where": {"pid": created.pid}}))
    assert [d.pid for d in found] == [created.pid]
    patched = api.datasets_controller_find_by_id_and_update_v3(
        created.pid,
        sdk.DatasetsControllerFindByIdAndUpdateV3Request(
            sdk.PartialUpdateRawDatasetObsoleteDto(description="updated", keywords=["a"])
        ),
    )
    assert patched.description == "updated" and patched.keywords == ["a"]
    assert (
        api.datasets_controller_count_v3(filter=json.dumps({"where": {"pid": created.pid}})).count
        == 1
    )
    deleted = sdk.DatasetsApi(archiver).datasets_controller_find_by_id_and_delete_v3(created.pid)
    assert deleted.pid == created.pid
    with pytest.raises(NotFoundException):
        api.datasets_controller_find_by_id_v3(created.pid)


def test_derived_dataset_v3(ingestor: sdk.ApiClient) -> None:
    api = sdk.DatasetsApi(ingestor)
    body = sdk.CreateDerivedDatasetObsoleteDto(
        ownerGroup="ingestor",
        owner="Bob",
        contactEmail="bob@example.org",
        sourceFolder="/data/derived/1",
        datasetName="derived 1",
        creationTime="2024-03-02T10:00:00Z",
        investigator="Bob",
        inputDatasets=["20.500.12269/x"],
        usedSoftware=["https://github.com/x/y"],
        type="derived",
    )
    created = api.datasets_controller_create_v3(sdk.DatasetsControllerCreateV3Request(body))
    assert created.investigator == "Bob" and created.type == "derived"
    assert api.datasets_controller_find_by_id_v3(created.pid).used_software == [
        "https://github.com/x/y"
    ]


def _v4_dataset(**extra: object) -> sdk.CreateDatasetDto:
    return sdk.CreateDatasetDto(
        ownerGroup="ingestor",
        owner="Ann",
        contactEmail="ann@example.org",
        sourceFolder="/data/v4",
        creationTime="2024-04-01T10:00:00Z",
        datasetName="v4 dataset",
        type="raw",
        principalInvestigators=["Ann"],
        **extra,
    )


def test_v4_dataset_origdatablock_attachment(
    ingestor: sdk.ApiClient, archiver: sdk.ApiClient
) -> None:
    datasets = sdk.DatasetsV4Api(ingestor)
    assert datasets.datasets_v4_controller_is_valid_v4(_v4_dataset()).valid is True
    created = datasets.datasets_v4_controller_create_v4(_v4_dataset(isPublished=True))
    assert created.version == "4"

    blocks = sdk.OrigdatablocksV4Api(ingestor)
    files = [sdk.DataFile(path=f"f{i}.h5", size=100, time="2024-04-01T10:00:00Z") for i in range(3)]
    block = blocks.orig_datablocks_v4_controller_create_v4(
        sdk.CreateOrigDatablockDto(
            datasetId=created.pid, size=300, dataFileList=files, chkAlg="md5"
        )
    )
    assert block.dataset_id == created.pid and block.owner_group == "ingestor"
    listed_blocks = blocks.orig_datablocks_v4_controller_find_all_v4(
        filter=json.dumps({"where": {"datasetId": created.pid}})
    )
    assert [b.size for b in listed_blocks] == [300]
    # The SDK's output model has no id field; the raw reply carries "_id".
    raw_blocks = blocks.orig_datablocks_v4_controller_find_all_v4_without_preload_content(
        filter=json.dumps({"where": {"datasetId": created.pid}})
    )
    block_id = json.loads(raw_blocks.read())[0]["_id"]
    assert blocks.orig_datablocks_v4_controller_find_by_id_v4(block_id).size == 300

    attachments = sdk.AttachmentsV4Api(ingestor)
    attachment = attachments.attachments_v4_controller_create_attachment_v4(
        sdk.CreateAttachmentV4Dto(
            ownerGroup="ingestor",
            caption="plot",
            isPublished=False,
            thumbnail="data:image/png;base64,AAAA",
            relationships=[
                sdk.AttachmentRelationshipsV4Dto(targetId=created.pid, targetType="dataset")
            ],
        )
    )
    assert attachment.caption == "plot"
    assert attachments.attachments_v4_controller_find_one_v4(attachment.aid).caption == "plot"
    patched = attachments.attachments_v4_controller_find_one_and_update_v4(
        attachment.aid, sdk.PartialUpdateAttachmentV4Dto(caption="new plot")
    )
    assert patched.caption == "new plot"

    fetched = datasets.datasets_v4_controller_find_by_id_v4(
        created.pid, include=["origdatablocks", "attachments"]
    )
    assert (fetched.size, fetched.number_of_files) == (300, 3)
    raw = datasets.datasets_v4_controller_find_by_id_v4_without_preload_content(
        created.pid, include=["origdatablocks", "attachments"]
    )
    body = json.loads(raw.read())
    assert len(body["origdatablocks"]) == 1 and len(body["attachments"]) == 1

    listed = datasets.datasets_v4_controller_find_all_v4(
        filter=json.dumps({"where": {"pid": created.pid}})
    )
    assert [d.pid for d in listed] == [created.pid]
    public = sdk.DatasetsPublicV4Api(
        sdk.ApiClient(sdk.Configuration(host=ingestor.configuration.host))
    )
    assert public.datasets_public_v4_controller_find_by_id_public_v4(created.pid).pid == created.pid
    # The SDK's partial model also sends its defaults (isPublished=False, sizes 0).
    updated = datasets.datasets_v4_controller_find_by_id_and_update_v4(
        created.pid, sdk.PartialUpdateDatasetDto(description="v4 patch")
    )
    assert updated.description == "v4 patch"

    attachments.attachments_v4_controller_find_one_attachment_and_remove_v4(attachment.aid)
    sdk.OrigdatablocksV4Api(archiver).orig_datablocks_v4_controller_find_by_id_and_delete_v4(
        block_id
    )
    sdk.DatasetsV4Api(archiver).datasets_v4_controller_find_by_id_and_delete_v4(created.pid)


def test_v3_sub_routes(ingestor: sdk.ApiClient) -> None:
    api = sdk.DatasetsApi(ingestor)
    created = api.datasets_controller_create_v3(sdk.DatasetsControllerCreateV3Request(_raw_v3()))
    files = [sdk.DataFile(path="a.tif", size=10, time="2024-03-01T10:00:00Z")]
    block = api.datasets_controller_create_orig_datablock_v3(
        created.pid, sdk.CreateDatasetOrigDatablockDto(size=10, dataFileList=files)
    )
    assert block.dataset_id == created.pid
    assert [b.size for b in api.datasets_controller_find_all_orig_datablocks_v3(created.pid)] == [
        10
    ]
    attachment = api.datasets_controller_create_attachment_v3(
        created.pid,
        sdk.CreateAttachmentV3Dto(
            ownerGroup="ingestor", caption="c", thumbnail="data:image/png;base64,AA"
        ),
    )
    assert attachment.caption == "c"
    assert [a.aid for a in api.datasets_controller_find_all_attachments_v3(created.pid)] == [
        attachment.aid
    ]
    updated = api.datasets_controller_find_one_attachment_and_update_v3(
        created.pid, attachment.aid, sdk.UpdateAttachmentV3Dto(ownerGroup="ingestor", caption="d")
    )
    assert updated.caption == "d"
    api.datasets_controller_find_one_attachment_and_remove_v3(created.pid, attachment.aid)
    dataset = api.datasets_controller_find_by_id_v3(created.pid)
    assert (dataset.size, dataset.number_of_files) == (10, 1)


def test_search_endpoints(ingestor: sdk.ApiClient) -> None:
    api = sdk.DatasetsApi(ingestor)
    created = api.datasets_controller_create_v3(sdk.DatasetsControllerCreateV3Request(_raw_v3()))
    fields = json.dumps(
        {
            "text": "run1",
            "scientific": [
                {"lhs": "temperature", "relation": "GREATER_THAN", "rhs": 290, "unit": "K"}
            ],
        }
    )
    found = api.datasets_controller_fullquery_v3(
        fields=fields, limits=json.dumps({"limit": 10, "order": "creationTime:desc"})
    )
    assert created.pid in [d.pid for d in found]
    facets = api.datasets_controller_fullfacet_v3(
        fields=fields, facets=json.dumps(["type", "creationLocation"])
    )
    assert facets[0].all[0].total_sets >= 1
    assert "temperature" in api.datasets_controller_metadata_keys_v3(fields="{}", limits="{}")
