"""The outbox relay: publishes stored events to Kafka, in order, then forgets them.

One relay per service is active at a time (a Postgres advisory lock), so events of one cluster
leave in the order they were stored. A crash between publish and delete re-publishes the batch:
consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from .eventstore import outbox_channel
from .pg import RETRIABLE

log = logging.getLogger(__name__)

BATCH = 500


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, producer: AIOKafkaProducer, schema: str) -> None:
        self._pool = pool
        self._producer = producer
        self._schema = schema
        self._channel = outbox_channel(schema)
        self._wake = asyncio.Event()
        self.published = 0

    async def run(self) -> None:
        backoff = 0.2
        while True:
            try:
                await self._run_locked()
            except asyncio.CancelledError:
                raise
            except (KafkaError, *RETRIABLE) as exc:
                log.warning("outbox relay paused: %s", exc, extra={"schema": self._schema, "retry_in_s": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _run_locked(self) -> None:
        async with self._pool.acquire() as conn:
            await conn.add_listener(self._channel, self._on_notify)
            try:
                # Waits here while another relay of this service is active.
                await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"{self._schema}.outbox")
                try:
                    while True:
                        self._wake.clear()
                        if await self._publish_batch(conn) == BATCH:
                            continue
                        # A notification wakes us at once; the timeout is the backstop for a lost one.
                        try:
                            await asyncio.wait_for(self._wake.wait(), timeout=1.0)
                        except TimeoutError:
                            pass
                finally:
                    if not conn.is_closed():
                        await asyncio.shield(
                            conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"{self._schema}.outbox"))
            finally:
                if not conn.is_closed():
                    await asyncio.shield(conn.remove_listener(self._channel, self._on_notify))

    def _on_notify(self, *_args: object) -> None:
        self._wake.set()

    async def _publish_batch(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            f"SELECT position, topic, key, payload FROM {self._schema}.outbox ORDER BY position LIMIT {BATCH}"
        )
        if not rows:
            return 0
        # Queue the whole batch, then wait for every ack: the idempotent producer keeps order.
        futures = [
            await self._producer.send(row["topic"], row["payload"], key=row["key"].encode())
            for row in rows
        ]
        await asyncio.gather(*futures)
        await conn.execute(f"DELETE FROM {self._schema}.outbox WHERE position <= $1", rows[-1]["position"])
        self.published += len(rows)
        return len(rows)
