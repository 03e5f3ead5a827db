"""Exactly-once effects on at-least-once delivery, through real Kafka and Postgres."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
import pytest

from unmta_common import eventstore
from unmta_common.commands import CommandBus
from unmta_common.config import Names
from unmta_common.consumer import POSITIONS_DDL, PositionedConsumer
from unmta_common.envelope import CommandEnvelope, EventEnvelope, encode, event_decoder, new_event
from unmta_common.errors import ConcurrencyConflict
from unmta_common.ids import uuid7
from unmta_common.kafka import TopicSpec, ensure_topics, running_producer
from unmta_common.outbox import OutboxRelay
from unmta_common.pg import EVENT_SOURCED_DDL, ensure_schema, open_pool
from unmta_common.tasks import background
from unmta_fleet.messages import ClusterRateChanged, RegisterUser
from unmta_fleet.service import FleetConfig, run_fleet


def command(payload, command_id: str | None = None, key: str = "k") -> CommandEnvelope:
    command_id = command_id or uuid7()
    return CommandEnvelope(command_id=command_id, type=type(payload).__struct_config__.tag, cluster_id=None,
                           partition_key=key, issued_at="2025-01-15T10:30:00Z", correlation_id=command_id,
                           actor="test", fingerprint="f", payload=msgspec.Raw(encode(payload)))


async def test_a_redelivered_command_has_one_effect_and_the_same_outcome(infra):
    names = Names(infra.namespace)
    async with run_fleet(FleetConfig(infra=infra)) as fleet, \
            running_producer(infra.kafka_bootstrap) as producer:
        bus = CommandBus(fleet.pool, producer, names.channel("outcomes"))
        await bus.start()
        try:
            register = command(RegisterUser(email="twice@example.com"), key="twice@example.com")
            first = await bus.execute(names.commands_topic("fleet"), fleet.schema, register, timeout=30)
            # The crash case: the effect committed but the offset did not, so Kafka delivers it again.
            await producer.send_and_wait(names.commands_topic("fleet"), encode(register), key=b"twice@example.com")
            marker = command(RegisterUser(email="after@example.com"), key="twice@example.com")
            await bus.execute(names.commands_topic("fleet"), fleet.schema, marker, timeout=30)
        finally:
            await bus.stop()
        events = await fleet.pool.fetch(
            f"SELECT type FROM {fleet.schema}.events WHERE aggregate_id = 'user-twice@example.com'")
        assert [e["type"] for e in events] == ["UserRegistered"]
        assert await bus.existing_outcome(fleet.schema, register.command_id) == first
        assert first.status == 201


async def test_concurrent_writers_on_one_aggregate_never_both_win(infra):
    schema = Names(infra.namespace).schema("store")
    async with open_pool(infra.database_url) as pool:
        await ensure_schema(pool, schema, EVENT_SOURCED_DDL)
        cause = command(RegisterUser(email="x@example.com"))

        def event_at_version_1(rate: str) -> EventEnvelope:
            return new_event(ClusterRateChanged(cluster_id="c1", max_message_rate=rate), aggregate_type="cluster",
                             aggregate_id="cluster-c1", aggregate_version=1, cluster_id="c1",
                             occurred_at="2025-01-15T10:30:00Z", command=cause)

        first_in = asyncio.Event()

        async def writer(rate: str, go_first: bool) -> str:
            async with pool.acquire() as conn, conn.transaction():
                if not go_first:
                    await first_in.wait()
                await eventstore.append(conn, schema, "t", [event_at_version_1(rate)])
                if go_first:
                    first_in.set()
                    await asyncio.sleep(0.2)  # hold the transaction open while the other writer tries
            return rate

        results = await asyncio.gather(writer("1/s", True), writer("2/s", False), return_exceptions=True)
        assert results[0] == "1/s"
        assert isinstance(results[1], ConcurrencyConflict)
        rows = await pool.fetch(f"SELECT envelope FROM {schema}.events")
        assert len(rows) == 1
        stored = msgspec.json.decode(event_decoder.decode(rows[0]["envelope"]).data)
        assert stored["max_message_rate"] == "1/s"


class RecordingProjection:
    """Writes every applied event into a table: what "applied once, in order" can be checked on."""

    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def begin(self, conn: asyncpg.Connection) -> str:
        return self.schema

    async def apply(self, conn: asyncpg.Connection, event: EventEnvelope) -> None:
        await conn.execute(f"INSERT INTO {self.schema}.applied (event_id, cluster_id, aggregate_version)"
                           " VALUES ($1, $2, $3)", event.event_id, event.cluster_id, event.aggregate_version)

    async def end(self, conn: asyncpg.Connection) -> None:
        pass


@pytest.mark.parametrize("consumers", [2])
async def test_relay_killed_mid_batch_then_restarted_applies_each_event_once_in_order(infra, consumers):
    names = Names(infra.namespace)
    store_schema, topic = names.schema("src"), names.events_topic("src")
    clusters, per_cluster = ["c1", "c2", "c3"], 40
    async with open_pool(infra.database_url) as pool, running_producer(infra.kafka_bootstrap) as producer:
        await ensure_schema(pool, store_schema, EVENT_SOURCED_DDL)
        await ensure_topics(infra.kafka_bootstrap, [TopicSpec(topic, 2, keep_forever=True)])
        cause = command(RegisterUser(email="x@example.com"))
        async with pool.acquire() as conn, conn.transaction():
            for version in range(1, per_cluster + 1):
                await eventstore.append(conn, store_schema, topic, [
                    new_event(ClusterRateChanged(cluster_id=c, max_message_rate=f"{version}/s"),
                              aggregate_type="cluster", aggregate_id=f"cluster-{c}", aggregate_version=version,
                              cluster_id=c, occurred_at="2025-01-15T10:30:00Z", command=cause)
                    for c in clusters])

        # The relay "dies" after publishing part of its batch but before deleting it from the outbox:
        rows = await pool.fetch(f"SELECT topic, key, payload FROM {store_schema}.outbox ORDER BY position LIMIT 50")
        for row in rows:
            await producer.send_and_wait(row["topic"], row["payload"], key=row["key"].encode())
        assert await pool.fetchval(f"SELECT count(*) FROM {store_schema}.outbox") == len(clusters) * per_cluster

        # ...and a new relay starts: it publishes the whole outbox again, duplicates included.
        relay = OutboxRelay(pool, producer, store_schema)
        projections = []
        for i in range(consumers):
            schema = names.schema(f"consumer{i}")
            await ensure_schema(pool, schema, POSITIONS_DDL,
                                "CREATE TABLE IF NOT EXISTS {schema}.applied (seq bigserial, event_id uuid,"
                                " cluster_id text, aggregate_version int)")
            projections.append(PositionedConsumer(pool=pool, bootstrap=infra.kafka_bootstrap, topics=[topic],
                                                  projection=RecordingProjection(schema), name=f"c{i}"))
        total = len(clusters) * per_cluster
        async with background(relay=relay.run, **{f"consumer{i}": p.run for i, p in enumerate(projections)}):
            async with asyncio.timeout(30):
                while True:
                    outbox = await pool.fetchval(f"SELECT count(*) FROM {store_schema}.outbox")
                    positions = [await pool.fetchval(
                        f"SELECT coalesce(sum(next_offset), 0) FROM {names.schema(f'consumer{i}')}.consumer_positions")
                        for i in range(consumers)]
                    if outbox == 0 and all(p == total + len(rows) for p in positions):
                        break
                    await asyncio.sleep(0.05)

        for i in range(consumers):
            schema = names.schema(f"consumer{i}")
            applied = await pool.fetch(f"SELECT event_id, cluster_id, aggregate_version FROM {schema}.applied"
                                       " ORDER BY seq")
            assert len(applied) == total
            assert len({r["event_id"] for r in applied}) == total
            for cluster in clusters:
                versions = [r["aggregate_version"] for r in applied if r["cluster_id"] == cluster]
                assert versions == list(range(1, per_cluster + 1))
