"""The outside world of job actions: the RabbitMQ broker and the mail server.

Both follow the backend: ``src/common/rabbitmq/rabbitmq.service.ts`` (one connection
opened at start-up; per message a durable queue and a durable topic exchange are
asserted and bound, then the job is published persistent) and
``src/common/mail.service.ts`` (failures to send are logged, never returned).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from typing import Any

import pika
import pika.exceptions

from ..feature_settings import BrokerSettings, MailSettings

log = logging.getLogger("scicat_lite.jobs")
# pika logs every connection attempt and failure; the service reports them itself.
logging.getLogger("pika").setLevel(logging.CRITICAL)


class BrokerUnavailable(RuntimeError):
    """The broker did not accept a connection within the start-up wait."""


class Broker:
    """A publishing connection to RabbitMQ, shared by the request threads."""

    def __init__(self, settings: BrokerSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None

    def _parameters(self) -> pika.ConnectionParameters:
        s = self._settings
        return pika.ConnectionParameters(
            host=s.hostname,
            port=s.port,
            credentials=pika.PlainCredentials(s.username, s.password),
            connection_attempts=1,
            socket_timeout=5,
            blocked_connection_timeout=10,
        )

    def _connect(self) -> None:
        self._connection = pika.BlockingConnection(self._parameters())
        self._channel = self._connection.channel()

    def connect(self, wait_seconds: float) -> None:
        """Connect at start-up, retrying until ``wait_seconds`` have passed."""
        deadline = time.monotonic() + wait_seconds
        delay = 0.25
        while True:
            try:
                with self._lock:
                    self._connect()
                return
            except pika.exceptions.AMQPError as error:
                if time.monotonic() >= deadline:
                    s = self._settings
                    raise BrokerUnavailable(
                        f"Cannot connect to RabbitMQ at {s.hostname}:{s.port} "
                        f"(RABBITMQ_HOSTNAME/RABBITMQ_PORT): {error!r}"
                    ) from error
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def publish(self, queue: str, exchange: str, key: str, body: bytes) -> None:
        """Assert queue, exchange and binding, then publish ``body`` persistently."""
        with self._lock:
            try:
                self._publish(queue, exchange, key, body)
            except (pika.exceptions.AMQPError, OSError, AttributeError):
                # A broker restart closes the connection: reconnect once, then give up.
                try:
                    self._connect()
                    self._publish(queue, exchange, key, body)
                except (pika.exceptions.AMQPError, OSError) as error:
                    raise RuntimeError(
                        f"Could not send message to RabbitMQ queue {queue}. ({error!r})"
                    ) from error

    def _publish(self, queue: str, exchange: str, key: str, body: bytes) -> None:
        channel = self._channel
        channel.queue_declare(queue=queue, durable=True)
        channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
        channel.queue_bind(queue=queue, exchange=exchange, routing_key=key)
        channel.basic_publish(
            exchange=exchange,
            routing_key=key,
            body=body,
            properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent),
        )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._connection.is_open:
                try:
                    self._connection.close()
                except pika.exceptions.AMQPError:
                    pass
            self._connection = None


class Mailer:
    """Sends HTML mails through SMTP, or logs them when no ``SMTP_HOST`` is set."""

    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings

    def send(self, to: str, subject: str, html: str, sender: str | None = None) -> None:
        s = self._settings
        message = EmailMessage()
        message["To"] = to
        message["Subject"] = subject
        message["From"] = sender or s.sender or "scicat-lite@localhost"
        if s.reply_to:
            message["Reply-To"] = s.reply_to
        message.set_content(html, subtype="html")
        if not s.host:
            log.info("No SMTP_HOST set; e-mail not sent: to=%s subject=%s\n%s", to, subject, html)
            return
        log.info("Sending email to: %s", to)
        try:
            if s.secure:
                context = ssl.create_default_context()
                with smtplib.SMTP_SSL(s.host, s.port, timeout=15, context=context) as smtp:
                    smtp.send_message(message)
            else:
                with smtplib.SMTP(s.host, s.port, timeout=15) as smtp:
                    smtp.ehlo()
                    if smtp.has_extn("starttls"):
                        smtp.starttls(context=ssl.create_default_context())
                        smtp.ehlo()
                    smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            log.error("Failed sending email to: %s: %s", to, error)
