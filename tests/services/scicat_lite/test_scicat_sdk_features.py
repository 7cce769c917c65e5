"""scicat-sdk-py round trips for jobs, published data, policies, datablocks and history:
every answer must parse into the SDK's own models."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import scicat_sdk_py as sdk
from lite_harness import LiteServer

pytestmark = pytest.mark.database


def _client(server: LiteServer, username: str) -> Iterator[sdk.ApiClient]:
    config = sdk.Configuration(host=server.url)
    with sdk.ApiClient(config) as client:
        login = sdk.AuthApi(client).auth_controller_login_v3(
            sdk.CredentialsDto(username=username, password=server.passwords[username])
        )
        config.access_token = login.access_token
        yield client


@pytest.fixture()
def user1(jobs_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _client(jobs_server, "user1")


@pytest.fixture()
def user2(jobs_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _client(jobs_server, "user2")


@pytest.fixture()
def admin(jobs_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _client(jobs_server, "admin")


@pytest.fixture()
def archiver(jobs_server: LiteServer) -> Iterator[sdk.ApiClient]:
    yield from _client(jobs_server, "archiveManager")


def _dataset(client: sdk.ApiClient, group: str = "group1") -> str:
    created = sdk.DatasetsApi(client).datasets_controller_create_v3(
        sdk.DatasetsControllerCreateV3Request(
            sdk.CreateRawDatasetObsoleteDto(
                ownerGroup=group,
                datasetName="sdk",
                owner="o",
                contactEmail="o@example.org",
                sourceFolder="/data/sdk",
                creationTime="2024-01-01T00:00:00Z",
                principalInvestigator="pi",
                creationLocation="/l",
                type="raw",
            )
        )
    )
    return str(created.pid)


def test_jobs_v4_and_v3(
    user1: sdk.ApiClient, user2: sdk.ApiClient, archiver: sdk.ApiClient
) -> None:
    pid = _dataset(user1)
    v4 = sdk.JobsV4Api(user1)
    job = v4.jobs_v4_controller_create_v4(
        sdk.CreateJobDto(
            type="archive",
            ownerGroup="group1",
            jobParams={"datasetList": [{"pid": pid, "files": []}]},
        )
    )
    assert job.status_code == "jobSubmitted" and job.owner_user == "user1"
    updated = sdk.JobsV4Api(archiver).jobs_v4_controller_update_v4(
        job.id, sdk.UpdateJobDto(statusCode="inProgress", statusMessage="copying")
    )
    assert updated.status_code == "inProgress"
    found = v4.jobs_v4_controller_find_one_v4(job.id)
    assert found.status_message == "copying"
    mine = json.dumps({"where": {"id": job.id}, "include": ["datasets"]})
    listed = v4.jobs_v4_controller_find_all_v4(filter=mine)
    assert [j.id for j in listed] == [job.id] and listed[0].datasets[0].pid == pid
    assert v4.jobs_v4_controller_full_query_v4(filter=json.dumps({"where": {"type": "archive"}}))
    assert v4.jobs_v4_controller_find_all_dataset_details_v4()
    facets = v4.jobs_v4_controller_full_facet_v4(facets=json.dumps(["type", "statusCode"]))
    assert facets and facets[0].all
    v3 = sdk.JobsApi(user1)
    old = v3.jobs_controller_create_v3(
        sdk.CreateJobDtoV3(type="archive", datasetList=[sdk.DatasetListDto(pid=pid, files=[])])
    )
    assert (
        old.job_status_message == "jobSubmitted" and old.email_job_initiator == "user1@example.org"
    )
    changed = sdk.JobsApi(archiver).jobs_controller_update_v3(
        old.id, sdk.UpdateJobDtoV3(jobStatusMessage="finishedSuccessful")
    )
    assert changed.job_status_message == "finishedSuccessful"
    assert v3.jobs_controller_find_one_v3(old.id).id == old.id
    assert old.id in {j.id for j in v3.jobs_controller_find_all_v3()}
    assert v3.jobs_controller_full_query_v3(fields=json.dumps({"type": "archive"}))
    assert v3.jobs_controller_full_facet_v3(facets=json.dumps(["type"]))
    details = v3.jobs_controller_find_one_details_v3(old.id)
    assert [d.pid for d in details] == [pid]


def test_published_data(user1: sdk.ApiClient, admin: sdk.ApiClient) -> None:
    pid = _dataset(user1)
    v4 = sdk.PublishedDataV4Api(user1)
    record = v4.published_data_v4_controller_create_v4(
        sdk.CreatePublishedDataV4Dto(title="T", abstract="A", datasetPids=[pid], metadata={})
    )
    assert record.status == "private" and record.doi.startswith("10.9999/")
    assert v4.published_data_v4_controller_find_one_v4(record.doi).title == "T"
    changed = v4.published_data_v4_controller_update_v4(
        record.doi, sdk.PartialUpdatePublishedDataV4Dto(title="T2")
    )
    assert changed.title == "T2"
    assert record.doi in {r.doi for r in v4.published_data_v4_controller_find_all_v4()}
    assert v4.published_data_v4_controller_count_v4().count >= 1
    form = v4.published_data_v4_controller_form_populate_v4(pid=[pid])
    assert form.resource_type == "raw"
    v4.published_data_v4_controller_register_v4(record.doi)
    sdk.PublishedDataV4Api(admin).published_data_v4_controller_amend_v4(record.doi)
    assert v4.published_data_v4_controller_find_one_v4(record.doi).status == "amended"
    v3 = sdk.PublishedDataApi(user1)
    old = v3.published_data_controller_create_v3(
        sdk.CreatePublishedDataDto(
            creator=["A B"],
            publisher="P",
            publicationYear=2024,
            title="t",
            abstract="a",
            dataDescription="d",
            resourceType="raw",
            pidArray=[pid],
            registeredTime="2024-05-01T00:00:00Z",
        )
    )
    assert old.creator == ["A B"] and old.status == "pending_registration"
    assert v3.published_data_controller_find_one_v3(old.doi).pid_array == [pid]
    patched = v3.published_data_controller_update_v3(
        old.doi, sdk.PartialUpdatePublishedDataDto(title="t2")
    )
    assert patched.title == "t2"
    only_v3 = json.dumps({"where": {"doi": old.doi}})
    assert [r.doi for r in v3.published_data_controller_find_all_v3(filter=only_v3)] == [old.doi]
    assert v3.published_data_controller_count_v3().count >= 1
    assert v3.published_data_controller_form_populate_v3(pid).resource_type == "raw"
    v3.published_data_controller_register_v3(old.doi)
    assert v3.published_data_controller_find_one_v3(old.doi).status == "registered"


def test_policies(admin: sdk.ApiClient, archiver: sdk.ApiClient) -> None:
    api = sdk.PoliciesApi(admin)
    fields = {
        "ownerGroup": "sdk-group",
        "manager": ["m@example.org"],
        "tapeRedundancy": "low",
        "autoArchive": True,
        "autoArchiveDelay": 7,
        "archiveEmailNotification": False,
        "archiveEmailsToBeNotified": [],
        "retrieveEmailNotification": False,
        "retrieveEmailsToBeNotified": [],
        "embargoPeriod": 3,
    }
    policy = api.policies_controller_create_v3(sdk.CreatePolicyDto(**fields))
    assert policy.owner_group == "sdk-group" and policy.tape_redundancy == "low"
    listed = api.policies_controller_find_all_v3(
        filter=json.dumps({"where": {"ownerGroup": "sdk-group"}})
    )
    assert [p.id for p in listed] == [policy.id]
    assert (
        api.policies_controller_count_v3(where=json.dumps({"ownerGroup": "sdk-group"})).count == 1
    )
    api.policies_controller_update_v3(policy.id, sdk.PartialUpdatePolicyDto(embargoPeriod=2))
    api.policies_controller_update_where_v3(
        sdk.UpdateWherePolicyDto(
            ownerGroupList="sdk-group", data=sdk.UpdatePolicyDto(**{**fields, "embargoPeriod": 4})
        )
    )
    assert api.policies_controller_find_one_v3(policy.id)["embargoPeriod"] == 4
    sdk.PoliciesApi(archiver).policies_controller_remove_v3(policy.id)


def test_datablocks(user1: sdk.ApiClient, admin: sdk.ApiClient, archiver: sdk.ApiClient) -> None:
    pid = _dataset(user1)
    files = [sdk.DataFile(path="a", size=1, time="2024-01-01T00:00:00Z")]
    datasets = sdk.DatasetsApi(user1)
    block = datasets.datasets_controller_create_datablock_v3(
        pid,
        sdk.CreateDatasetDatablockDto(
            archiveId=f"{pid}-sdk", size=1, packedSize=1, version="1", dataFileList=files
        ),
    )
    assert block.dataset_id == pid
    assert [b.id for b in datasets.datasets_controller_find_all_datablocks_v3(pid)] == [block.id]
    # the SDK declares a list of counts here; upstream (and so this) answers one {count}
    raw = datasets.datasets_controller_count_datablocks_v3_without_preload_content(pid)
    assert json.loads(raw.data) == {"count": 1}
    datasets.datasets_controller_find_one_datablock_and_update_v3(
        pid, block.id, sdk.PartialUpdateDatablockDto(packedSize=3)
    )
    api = sdk.DatablocksApi(admin)
    top = api.datablocks_controller_create_v3(
        sdk.CreateDatablockDto(
            datasetId=pid,
            archiveId=f"{pid}-top",
            size=2,
            packedSize=2,
            version="1",
            dataFileList=files,
        )
    )
    assert {b.id for b in api.datablocks_controller_find_all_v3()} >= {block.id, top.id}
    assert api.datablocks_controller_count_v3().count >= 2
    assert api.datablocks_controller_find_by_id_v3(top.id)["archiveId"] == f"{pid}-top"
    api.datablocks_controller_update_v3(top.id, sdk.PartialUpdateDatablockDto(version="2"))
    sdk.DatablocksApi(archiver).datablocks_controller_remove_v3(top.id)
    sdk.DatasetsApi(archiver).datasets_controller_find_one_datablock_and_remove_v3(pid, block.id)
    sdk.DatasetsApi(archiver).datasets_controller_delete_all_datablocks_from_dataset_id_v3(pid)


def test_history(user1: sdk.ApiClient, admin: sdk.ApiClient) -> None:
    pid = _dataset(user1)
    sdk.DatasetsApi(user1).datasets_controller_find_by_id_and_update_v3(
        pid,
        sdk.DatasetsControllerFindByIdAndUpdateV3Request(
            sdk.PartialUpdateRawDatasetObsoleteDto(description="changed")
        ),
    )
    api = sdk.HistoryApi(admin)
    where = json.dumps({"subsystem": "Dataset", "documentId": pid})
    api.history_controller_find_history_v3(filter=where)
    api.history_controller_count_history_v3(filter=where)
    api.history_controller_get_history_by_collection_v3("Dataset")
    raw = api.history_controller_count_history_v3_with_http_info(filter=where)
    assert raw.status_code == 200
