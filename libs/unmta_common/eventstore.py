"""The event store: append-only, optimistic concurrency by UNIQUE (aggregate_id, version).

Appending also writes each event to the outbox, in the caller's transaction, so an event is
published if and only if it was stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from .envelope import EventEnvelope, encode, event_decoder
from .errors import ConcurrencyConflict


async def append(conn: asyncpg.Connection, schema: str, topic: str, events: Sequence[EventEnvelope]) -> None:
    if not events:
        return
    rows = []
    for event in events:
        payload = encode(event)
        rows.append((event.event_id, event.aggregate_id, event.aggregate_version, event.cluster_id,
                     event.type, payload))
    try:
        await conn.executemany(
            f"INSERT INTO {schema}.events (event_id, aggregate_id, aggregate_version, cluster_id, type, envelope)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            rows,
        )
    except asyncpg.UniqueViolationError as exc:
        raise ConcurrencyConflict(f"aggregate {events[0].aggregate_id} changed concurrently") from exc
    await conn.executemany(
        f"INSERT INTO {schema}.outbox (topic, key, payload) VALUES ($1, $2, $3)",
        [(topic, event.cluster_id or event.aggregate_id, row[5]) for event, row in zip(events, rows)],
    )
    # Delivered on commit: wakes the relay without polling.
    await conn.execute("SELECT pg_notify($1, '')", outbox_channel(schema))


def outbox_channel(schema: str) -> str:
    return f"{schema}_outbox"


async def load(conn: asyncpg.Connection, schema: str, aggregate_id: str) -> list[EventEnvelope]:
    rows = await conn.fetch(
        f"SELECT envelope FROM {schema}.events WHERE aggregate_id = $1 ORDER BY aggregate_version",
        aggregate_id,
    )
    return [event_decoder.decode(row["envelope"]) for row in rows]
