"""Consume the backend's job messages from RabbitMQ and carry the new ones out.

The backend's rabbitmq action publishes the whole job document, persistent, to a
durable topic exchange and a durable queue bound with a routing key; it does so on
create and again on every update. The worker declares the same three (idempotent),
takes one message per free slot and acknowledges it once the job is finished, so a
job interrupted by a restart is delivered again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection

from .jobs import HANDLED_TYPES, Behaviour, Outcome, carry_out, FAILED
from .scicat import ScicatClient, ScicatError
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Stats:
    received: int = 0
    ignored: int = 0
    rejected: int = 0
    finished: dict[str, int] = field(default_factory=dict)
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=50))

    def record(self, outcome: Outcome) -> None:
        self.finished[outcome.status] = self.finished.get(outcome.status, 0) + 1
        self.recent.appendleft(asdict(outcome))

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "ignored": self.ignored, "rejected": self.rejected,
                "finished": dict(self.finished), "recent": list(self.recent)}


class Worker:
    def __init__(self, settings: Settings, client: ScicatClient, behaviour: Behaviour) -> None:
        self.settings = settings
        self.client = client
        self.behaviour = behaviour
        self.stats = Stats()
        self._connection: AbstractRobustConnection | None = None

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def start(self) -> None:
        settings = self.settings
        self._connection = await aio_pika.connect_robust(settings.amqp_url, timeout=5)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=settings.concurrency)
        exchange = await channel.declare_exchange(
            settings.job_exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(settings.job_queue, durable=True)
        await queue.bind(exchange, routing_key=settings.job_routing_key)
        await queue.consume(self.on_message)
        log.info("consuming %s (exchange %s, key %s)", settings.job_queue,
                 settings.job_exchange, settings.job_routing_key)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        self.stats.received += 1
        job = _job(message.body)
        if job is None:
            self.stats.rejected += 1
            log.warning("dropped a message that is not a job document: %.200r", message.body)
            await message.reject(requeue=False)
            return
        if job.get("statusCode") != self.settings.initial_status or job["type"] not in HANDLED_TYPES:
            # Our own updates come back through the queue; other job types are not ours.
            self.stats.ignored += 1
            await message.ack()
            return
        try:
            outcome = await carry_out(self.client, job, self.behaviour)
        except ScicatError as exc:
            if exc.status is None:
                log.error("job %s: the backend is unreachable (%s); it will be delivered again", job["id"], exc)
                await asyncio.sleep(5)
                await message.nack(requeue=True)
                return
            outcome = await self._give_up(job, str(exc))
        self.stats.record(outcome)
        await message.ack()

    async def _give_up(self, job: dict[str, Any], problem: str) -> Outcome:
        log.error("job %s failed: %s", job["id"], problem)
        try:
            await self.client.update_job(str(job["id"]), FAILED, f"The archive system failed: {problem}")
        except ScicatError as exc:
            log.error("job %s: cannot even record the failure: %s", job["id"], exc)
        return Outcome(str(job["id"]), str(job["type"]), FAILED, {})


def _job(body: bytes) -> dict[str, Any] | None:
    try:
        job = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(job, dict) or not job.get("id") or not isinstance(job.get("type"), str):
        return None
    return job
