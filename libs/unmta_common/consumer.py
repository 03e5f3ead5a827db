"""An event consumer whose position lives in Postgres, in the same transaction as its effect.

Kafka delivers at least once (and the outbox relay may publish an event twice); recording the
next offset per partition and the ids of applied events beside the effect turns that into
exactly-once effects. Kafka's own group offsets are not used: Postgres is the source of truth.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from .envelope import EventEnvelope, event_decoder
from .pg import RETRIABLE

log = logging.getLogger(__name__)

POSITIONS_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.consumer_positions (
    topic       text NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
CREATE TABLE IF NOT EXISTS {schema}.processed_events (
    event_id uuid PRIMARY KEY
);
"""


class Projection(Protocol):
    async def begin(self, conn: asyncpg.Connection) -> str:
        """Starts a batch in `conn`'s transaction; returns the schema holding positions."""

    async def apply(self, conn: asyncpg.Connection, event: EventEnvelope) -> None: ...

    async def end(self, conn: asyncpg.Connection) -> None:
        """Last step of the batch's transaction (e.g. notify what changed)."""


class _SchemaMoved(Exception):
    pass


async def record_positions(conn: asyncpg.Connection, schema: str, next_offsets: dict[TopicPartition, int]) -> None:
    await conn.executemany(
        f"INSERT INTO {schema}.consumer_positions (topic, partition, next_offset) VALUES ($1, $2, $3)"
        " ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset",
        [(tp.topic, tp.partition, offset) for tp, offset in next_offsets.items()],
    )


async def load_positions(conn: asyncpg.Connection, schema: str) -> dict[TopicPartition, int]:
    rows = await conn.fetch(f"SELECT topic, partition, next_offset FROM {schema}.consumer_positions")
    return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def apply_records(
    conn: asyncpg.Connection,
    schema: str,
    projection: Projection,
    records: Sequence[ConsumerRecord],
    positions: dict[TopicPartition, int],
) -> list[ConsumerRecord]:
    """Applies new records once each; returns the poison ones. Caller holds the transaction."""
    poison = []
    advanced: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        if record.offset < positions.get(tp, 0):
            continue  # already applied before a restart
        advanced[tp] = record.offset + 1
        try:
            event = event_decoder.decode(record.value)
        except msgspec.DecodeError:
            poison.append(record)
            continue
        first_time = await conn.fetchval(
            f"INSERT INTO {schema}.processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1",
            event.event_id,
        )
        if first_time:
            await projection.apply(conn, event)
    if advanced:
        await record_positions(conn, schema, advanced)
        positions.update(advanced)
    return poison


async def assigned_partitions(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    await consumer._client.force_metadata_update()  # noqa: SLF001 - no public "wait for metadata"
    partitions = []
    for topic in topics:
        ids = consumer.partitions_for_topic(topic) or set()
        partitions += [TopicPartition(topic, p) for p in sorted(ids)]
    return partitions


class PositionedConsumer:
    def __init__(self, *, pool: asyncpg.Pool, bootstrap: str, topics: Sequence[str], projection: Projection,
                 dead_letter: tuple[AIOKafkaProducer, str] | None = None, name: str = "projection") -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._projection = projection
        self._dead_letter = dead_letter
        self._name = name
        self._consumer: AIOKafkaConsumer | None = None
        self.applied_batches = 0

    @property
    def consuming(self) -> bool:
        return self._consumer is not None and bool(self._consumer.assignment())

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._run()
            except asyncio.CancelledError:
                raise
            except (KafkaError, *RETRIABLE) as exc:
                log.warning("%s consumer paused: %s", self._name, exc, extra={"retry_in_s": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _run(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False,
                                    group_id=None, fetch_max_wait_ms=50, auto_offset_reset="earliest")
        await consumer.start()
        self._consumer = consumer
        try:
            partitions = await assigned_partitions(consumer, self._topics)
            consumer.assign(partitions)
            schema, positions = await self._seek(consumer, partitions)
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=500)
                records = [r for batch in batches.values() for r in batch]
                if not records:
                    continue
                try:
                    await self._apply_batch(schema, records, positions)
                except _SchemaMoved:
                    schema, positions = await self._seek(consumer, partitions)
        finally:
            self._consumer = None
            await consumer.stop()

    async def _seek(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]):
        async with self._pool.acquire() as conn, conn.transaction():
            schema = await self._projection.begin(conn)
            positions = await load_positions(conn, schema)
        for tp in partitions:
            consumer.seek(tp, positions.get(tp, 0))
        return schema, positions

    async def _apply_batch(self, schema: str, records: list[ConsumerRecord], positions) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if await self._projection.begin(conn) != schema:
                raise _SchemaMoved()
            poison = await apply_records(conn, schema, self._projection, records, positions)
            await self._projection.end(conn)
        self.applied_batches += 1
        for record in poison:
            await self._send_to_dead_letter(record)

    async def _send_to_dead_letter(self, record: ConsumerRecord) -> None:
        log.error("%s: undecodable event sent to dead-letter topic", self._name,
                  extra={"topic": record.topic, "partition": record.partition, "offset": record.offset})
        if self._dead_letter is not None:
            producer, topic = self._dead_letter
            await producer.send_and_wait(topic, record.value, key=record.key,
                                         headers=[("source_topic", record.topic.encode())])
