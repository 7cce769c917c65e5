"""Real servers for the job actions: Debian's rabbitmq-server and an aiosmtpd SMTP server,
both on loopback ports of their own, and a scicat-lite configured to use them."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from tests.support import free_port

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str = "guest"
    password: str = "guest"


@contextmanager
def rabbitmq(workdir: Path, timeout: float = 90) -> Iterator[Broker]:
    """rabbitmq-server with its own node name, ports, epmd and data under ``workdir``."""
    if not RABBITMQ_SERVER.exists():
        raise FileNotFoundError(
            "rabbitmq-server is not installed (apt-get install rabbitmq-server)"
        )
    port, dist, epmd = free_port(), free_port(), free_port()
    (workdir / "enabled_plugins").write_text("[].\n")
    env = {
        **os.environ,
        "HOME": str(workdir),
        "RABBITMQ_NODENAME": f"scicatlite{port}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist),
        "ERL_EPMD_PORT": str(epmd),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"),
        "RABBITMQ_LOG_BASE": str(workdir / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(workdir / "enabled_plugins"),
        "RABBITMQ_CONFIG_FILE": str(workdir / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(workdir / "advanced.config"),
        "RABBITMQ_CONF_ENV_FILE": str(workdir / "rabbitmq-env.conf"),
        "RABBITMQ_PID_FILE": str(workdir / "rabbitmq.pid"),
    }
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(RABBITMQ_SERVER)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for_port(port, timeout, process, workdir / "server.log")
        yield Broker("127.0.0.1", port)
    finally:
        _stop_group(process)
        epmd_binary = shutil.which("epmd")
        if epmd_binary:
            subprocess.run(
                [epmd_binary, "-port", str(epmd), "-kill"],
                env=env,
                capture_output=True,
                timeout=10,
                check=False,
            )
        log.close()


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rabbitmq-server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"rabbitmq-server did not listen on {port} within {timeout:.0f}s")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class Mailbox:
    """The messages an SMTP server received."""

    port: int
    messages: list[Message] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10) -> list[Message]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with mailbox.arrived:
                mailbox.messages.append(message_from_bytes(envelope.content))
                mailbox.arrived.notify_all()
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


JOB_CONFIG = """\
configVersion: v1 scicat-lite tests
jobs:
  - jobType: archive
    create:
      auth: '#datasetOwner'
      actions:
        - actionType: log
        - actionType: validate
          datasets:
            datasetlifecycle.archivable: {const: true}
        - &rabbitmq
          actionType: rabbitmq
          exchange: amqp.topic
          queue: client.jobs.write.v4
          key: jobqueuev4
    update:
      auth: archiveManager
      actions:
        - actionType: log
        - *rabbitmq
        - actionType: switch
          phase: perform
          property: request.statusCode
          cases:
            - regex: /^finished/
              actions:
                - actionType: email
                  to: "{{{ job.contactEmail }}}"
                  subject: "[SciCat] {{ job.type }} job {{ job.statusCode }}"
                  bodyTemplateFile: %(template)s
            - actions:
                - actionType: log
                  perform: "no e-mail for {{ job.statusCode }}"
  - jobType: retrieve
    create:
      auth: '#datasetAccess'
      actions:
        - actionType: validate
          datasets:
            datasetlifecycle.retrievable: {const: true}
        - *rabbitmq
    update: {auth: archiveManager, actions: [*rabbitmq]}
  - jobType: public
    create: {auth: '#datasetPublic', actions: [*rabbitmq]}
    update: {auth: archiveManager}
  - jobType: anything
    create: {auth: '#all'}
    update: {auth: '#all'}
  - jobType: reset
    create: {auth: archiveManager}
    update: {auth: archiveManager}
  - jobType: mine
    create:
      auth: '#authenticated'
      actions:
        - actionType: validate
          request:
            jobParams.reason: {type: string}
    update: {auth: '#jobOwnerUser'}
  - jobType: team
    create: {auth: '@group1'}
    update: {auth: '#jobOwnerGroup'}
  - jobType: admin_only
    create: {auth: '#jobAdmin'}
    update: {auth: '#jobAdmin'}
  - jobType: refused
    create:
      auth: '#authenticated'
      actions:
        - actionType: error
          message: "{{ request.type }} jobs are switched off"
          status: 409
    update: {auth: '#all'}
  - jobType: callback
    create:
      auth: '#authenticated'
      actions:
        - actionType: url
          url: "%(health)s?job={{ job.id }}"
          method: GET
          headers: {accept: application/json}
        - actionType: url
          url: "%(health)s/missing"
    update: {auth: '#all'}
"""

EMAIL_TEMPLATE = """<p>Dear user, your {{job.type}} job {{job.id}} is {{job.statusCode}}.</p>
<p>{{{unwrapJSON job.jobResultObject}}}</p>"""
