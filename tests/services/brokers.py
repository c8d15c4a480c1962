"""The machine's Redis and RabbitMQ as Celery brokers, isolated per test run by a unique
queue name (which also prefixes every Redis key and names the exchanges), and cleaned of
that name's keys and queues afterwards; the shared services are never flushed."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis
from kombu import Connection

from tests.services.required import require_port

BROKERS = {
    "redis": ("redis://127.0.0.1:6379/0", ("127.0.0.1", 6379)),
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:5672//", ("127.0.0.1", 5672)),
}


@dataclass(frozen=True)
class Broker:
    name: str
    url: str
    address: tuple[str, int]
    queue: str


@contextmanager
def broker(name: str) -> Iterator[Broker]:
    """The broker `name` with a queue name of its own (skipped when the service is down)."""
    url, address = BROKERS[name]
    require_port(name, *address)
    chosen = Broker(name, url, address, f"dwelltime-test-{uuid.uuid4().hex[:10]}")
    try:
        yield chosen
    finally:
        _clean(chosen)


def _clean(chosen: Broker) -> None:
    if chosen.name == "redis":
        client = redis.Redis.from_url(chosen.url)
        keys = list(client.scan_iter(match=f"{chosen.queue}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        return
    with Connection(chosen.url) as connection:
        channel: Any = connection.channel()  # a py-amqp channel: kombu's stubs lack these
        for queue in (chosen.queue,):
            with contextlib.suppress(Exception):
                channel.queue_delete(queue)
        for exchange in (chosen.queue, f"{chosen.queue}.control", f"{chosen.queue}.events"):
            with contextlib.suppress(Exception):
                channel.exchange_delete(exchange)
