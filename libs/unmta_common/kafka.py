"""Kafka adapter: durable producers, topic creation, error mapping."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from .errors import InfrastructureUnavailable


class TopicSpec:
    def __init__(self, name: str, partitions: int, *, keep_forever: bool) -> None:
        self.name = name
        self.partitions = partitions
        # Event topics are the replay source: they keep everything.
        self.configs = {"retention.ms": "-1", "retention.bytes": "-1"} if keep_forever else {}


async def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec]) -> None:
    specs = list(specs)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(s.name, s.partitions, 1 if _single_broker(admin) else 3, topic_configs=s.configs)
                 for s in missing]
            )
            for name, code, *_ in getattr(response, "topic_errors", []):
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise InfrastructureUnavailable(f"could not create topic {name}: error {code}")
    except KafkaError as exc:
        raise InfrastructureUnavailable(f"Kafka unreachable: {exc}") from exc
    finally:
        await admin.close()


def _single_broker(admin: AIOKafkaAdminClient) -> bool:
    return len(admin._client.cluster.brokers()) < 3


def durable_producer(bootstrap: str, **overrides) -> AIOKafkaProducer:
    """aiokafka's defaults (acks=1, no idempotence) can lose or duplicate: never use them."""
    options = dict(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        request_timeout_ms=10000,
    )
    options.update(overrides)
    return AIOKafkaProducer(**options)


@contextlib.asynccontextmanager
async def running_producer(bootstrap: str, **overrides) -> AsyncIterator[AIOKafkaProducer]:
    producer = durable_producer(bootstrap, **overrides)
    try:
        await producer.start()
    except KafkaError as exc:
        await producer.stop()
        raise InfrastructureUnavailable(f"Kafka unreachable: {exc}") from exc
    try:
        yield producer
    finally:
        await producer.stop()
