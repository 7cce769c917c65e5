"""The job configuration file and the job action templates, without a server; and the
start-up exit codes for a bad file, a missing broker setting and an unreachable broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from scicat_lite.feature_settings import BrokerSettings, MailSettings
from scicat_lite.jobs.config import JobConfigError, JobServices, load_job_configuration
from scicat_lite.jobs.messaging import Broker, Mailer
from scicat_lite.jobs.templates import compile_template, format_unit

from tests.support import free_port

SRC = Path(__file__).resolve().parents[3] / "services/scicat-lite/src"
NO_BROKER = JobServices(broker=None, mailer=Mailer(MailSettings()))
WITH_BROKER = JobServices(
    broker=Broker(BrokerSettings(hostname="127.0.0.1", port=1, username="g", password="g")),
    mailer=Mailer(MailSettings()),
)


def _load(tmp_path: Path, text: str, services: JobServices = NO_BROKER) -> object:
    path = tmp_path / "jobConfig.yaml"
    path.write_text(text)
    return load_job_configuration(str(path), services)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: []", "configVersion is required"),
        ("configVersion: v1\njobs: {}", "jobs is required and must be a list"),
        ("configVersion: v1\njobs: [{create: {}}]", "jobs[0].jobType is required"),
        ("configVersion: v1\njobs: [{jobType: a, update: {}}]", "jobs[0].create is required"),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {}, update: {}},"
                " {jobType: a, create: {}, update: {}}]"
            ),
            "Duplicate job type a",
        ),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {actions: [{actionType: fax}]},"
                " update: {}}]"
            ),
            "Unknown action type fax",
        ),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {actions: [{actionType: rabbitmq,"
                " exchange: e, queue: q, key: k}]}, update: {}}]"
            ),
            "RABBITMQ_ENABLED=yes",
        ),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {actions: [{actionType: switch,"
                " phase: validate, property: request.type, cases: [{regex: 'x', actions: []}]}]},"
                " update: {}}]"
            ),
            "Expected slash-delimited regex",
        ),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {actions: [{actionType: validate,"
                " request: {type: {type: nonsense}}}]}, update: {}}]"
            ),
            "invalid JSON schema",
        ),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {actions: [{actionType: email,"
                " to: x, subject: y, bodyTemplateFile: /nonexistent.html}]}, update: {}}]"
            ),
            "cannot read /nonexistent.html",
        ),
        (
            (
                "configVersion: v1\njobs: [{jobType: a, create: {actions: [{actionType: log,"
                " perform: '{{#each x}}{{/if}}'}]}, update: {}}]"
            ),
            "invalid Handlebars template",
        ),
        ("configVersion: [unclosed", "not valid YAML or JSON"),
    ],
)
def test_bad_configuration_names_the_place(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(JobConfigError, match="jobConfig.yaml") as caught:
        _load(tmp_path, text)
    assert message in str(caught.value)


def test_scicatlive_configuration_loads_with_a_broker(tmp_path: Path) -> None:
    text = """configVersion: v0.1.2 2025-04-17
jobs:
  - jobType: archive
    create:
      auth: '#datasetOwner'
      actions:
        - actionType: log
        - &rabbitmq
          actionType: rabbitmq
          exchange: amqp.topic
          queue: client.jobs.write.v4
          key: jobqueuev4
    update: {auth: archiveManager, actions: [{actionType: log}, *rabbitmq]}
"""
    config = _load(tmp_path, text, WITH_BROKER)
    archive = config.types["archive"]  # type: ignore[attr-defined]
    assert archive.create.auth == "#datasetOwner" and archive.update.auth == "archiveManager"
    assert [a.action_type for a in archive.create.actions] == ["log", "rabbitmq"]
    with pytest.raises(JobConfigError, match="RABBITMQ_ENABLED"):
        _load(tmp_path, text)


def test_templates_render_like_handlebars() -> None:
    context = {
        "job": {
            "id": "j1",
            "type": "archive",
            "statusCode": "finishedSuccessful",
            "jobParams": {"datasetList": [{"pid": "p"}]},
            "contactEmail": "a@b.c",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "createdBy": "ann",
        }
    }
    assert compile_template("{{{ job.type }}} <{{job.missing}}>", "t")(context) == "archive <>"
    assert compile_template("{{ default job.nothing 'fallback' }}", "t")(context) == "fallback"
    assert compile_template("{{#if (eq job.type 'archive')}}yes{{/if}}", "t")(context) == "yes"
    assert compile_template("{{ urlencode 'a b/c' }}", "t")(context) == "a%20b%2Fc"
    v3 = compile_template("{{{ jsonify (job_v3 job) }}}", "t")(context)
    assert '"jobStatusMessage": "finishedSuccessful"' in v3 and '"username": "ann"' in v3
    assert compile_template("{{ job.jobParams.datasetList }}", "t")(context) == "[object Object]"
    assert format_unit(52428800, "B", 1) == "50 MiB"
    assert compile_template("{{ formatUnit 1500 'm' }}", "t")(context) == "1.5 km"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scicat_lite"],
        env={**os.environ, "PYTHONPATH": str(SRC), "JWT_SECRET": "s" * 32, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_bad_job_configuration_exits_2_before_waiting(tmp_path: Path) -> None:
    bad = tmp_path / "jobConfig.yaml"
    bad.write_text("configVersion: v1\njobs: [{jobType: a, create: {}}]")
    result = _run(
        {"DATABASE_URL": "postgresql://u:p@127.0.0.1:1/x", "JOB_CONFIGURATION_FILE": str(bad)}
    )
    assert result.returncode == 2, result.stderr
    *_, last = result.stderr.strip().splitlines()
    assert last == (
        f"scicat-lite: {bad}: jobs[0].update is required and must be an object with auth "
        "and actions (job type a)"
    )


def test_missing_broker_variable_exits_2() -> None:
    result = _run({"DATABASE_URL": "postgresql://u:p@127.0.0.1:1/x", "RABBITMQ_ENABLED": "yes"})
    assert result.returncode == 2
    assert "RABBITMQ_HOSTNAME" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.database
def test_unreachable_broker_exits_1(postgres_server: str) -> None:
    result = _run(
        {
            "DATABASE_URL": postgres_server,
            "DATABASE_WAIT_SECONDS": "1",
            "RABBITMQ_ENABLED": "yes",
            "RABBITMQ_HOSTNAME": "127.0.0.1",
            "RABBITMQ_PORT": str(free_port()),
            "RABBITMQ_USERNAME": "guest",
            "RABBITMQ_PASSWORD": "guest",
        }
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("scicat-lite: Cannot connect to RabbitMQ at 127.0.0.1:")
    )
    assert "Traceback" not in result.stderr
