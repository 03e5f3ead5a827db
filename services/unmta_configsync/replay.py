"""Rebuilds the snapshot projection from the event topics (offset 0) into a fresh generation
schema, then swaps it in while pulls keep being served.

The swap holds the projector lock (the live projector waits), brings the new generation to
exactly the live positions, compares every snapshot, flips the active generation and notifies
the pull servers. The old generation is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from unmta_common.config import InfraConfig, Names
from unmta_common.consumer import apply_records, assigned_partitions, load_positions
from unmta_common.kafka import ensure_topics
from unmta_common.pg import open_pool
from unmta_common.service import service_topics

from . import store
from .projector import SnapshotProjection
from .store import SOURCE_SERVICES, ConfigsyncNames
from .watch import SWAP

Progress = Callable[[int, int], None]
BATCH = 1000
CATCH_UP_ATTEMPTS = 50


@dataclass
class ReplayReport:
    generation: int
    events: int
    snapshots: int
    differing_snapshots: int
    seconds: float


class ReplayError(RuntimeError):
    pass


async def replay_configsync(infra: InfraConfig, progress: Progress = lambda done, total: None) -> ReplayReport:
    names = ConfigsyncNames(infra.namespace)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with open_pool(infra.database_url, max_size=4) as pool:
        old_schema = await store.ensure_control(pool, names)
        new_generation = await pool.fetchval(f"SELECT generation + 1 FROM {names.control}.active")
        new_schema = names.generation_schema(new_generation)
        await pool.execute(f"DROP SCHEMA IF EXISTS {new_schema} CASCADE")
        await store.ensure_generation(pool, new_schema)
        common = Names(infra.namespace)
        await ensure_topics(infra.kafka_bootstrap, [t for s in SOURCE_SERVICES for t in service_topics(
            common, s, infra.partitions)])
        consumer = AIOKafkaConsumer(bootstrap_servers=infra.kafka_bootstrap, enable_auto_commit=False,
                                    group_id=None, auto_offset_reset="earliest", max_partition_fetch_bytes=4 << 20)
        await consumer.start()
        try:
            partitions = await assigned_partitions(consumer, names.source_topics)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            projection = SnapshotProjection(names, live=False, schema=new_schema)
            positions: dict[TopicPartition, int] = {}
            start = await consumer.beginning_offsets(partitions)
            ends = await consumer.end_offsets(partitions)
            total = sum(ends[tp] - start[tp] for tp in partitions)
            done = await _consume_until(pool, consumer, projection, new_schema, positions, ends, progress, 0, total)
            events, differing = await _swap(pool, consumer, projection, names, old_schema, new_schema,
                                            new_generation, positions, progress, done, total)
        finally:
            await consumer.stop()
        snapshots = await pool.fetchval(f"SELECT count(*) FROM {new_schema}.snapshots")
        await pool.execute(f"DROP SCHEMA IF EXISTS {old_schema} CASCADE")
    return ReplayReport(new_generation, events, snapshots, differing, loop.time() - started)


async def _consume_until(pool, consumer, projection, schema, positions, targets, progress, done, total) -> int:
    while any(positions.get(tp, 0) < end for tp, end in targets.items()):
        batches = await consumer.getmany(timeout_ms=1000, max_records=BATCH)
        records = [r for tp, batch in batches.items() for r in batch if r.offset < targets.get(tp, 0)]
        if not records:
            continue
        async with pool.acquire() as conn, conn.transaction():
            await projection.begin(conn)
            await apply_records(conn, schema, projection, records, positions)
            await projection.end(conn)
        done += len(records)
        progress(done, max(total, done))
    return done


async def _swap(pool, consumer, projection, names, old_schema, new_schema, new_generation, positions, progress,
                done, total) -> tuple[int, int]:
    for _ in range(CATCH_UP_ATTEMPTS):
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(hashtext($1))", names.lock_key)
            try:
                live = await load_positions(conn, old_schema)
                if any(offset > live.get(tp, 0) for tp, offset in positions.items()):
                    pass  # the live projector is behind us: let it catch up, then try again
                else:
                    for tp, offset in live.items():
                        if positions.get(tp, 0) < offset:
                            consumer.seek(tp, positions.get(tp, 0))
                    done = await _consume_until(pool, consumer, projection, new_schema, positions, live, progress,
                                                done, total)
                    differing = await conn.fetchval(
                        f"SELECT count(*) FROM {old_schema}.snapshots o FULL JOIN {new_schema}.snapshots n"
                        " USING (mta_id) WHERE o.body IS DISTINCT FROM n.body")
                    async with conn.transaction():
                        await conn.execute(f"UPDATE {names.control}.active SET generation = $1", new_generation)
                        await conn.execute("SELECT pg_notify($1, $2)", names.channel, SWAP)
                    return done, differing
            finally:
                with contextlib.suppress(asyncpg.PostgresError):
                    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", names.lock_key)
        await asyncio.sleep(0.2)
    raise ReplayError("the live projector did not catch up; nothing was swapped")
