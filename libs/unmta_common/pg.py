"""Postgres adapter: pools, per-service schemas and the tables every event-sourced service has."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from .errors import InfrastructureUnavailable

# Errors after which the same work may succeed on a new attempt.
RETRIABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    ConnectionError,
    OSError,
)

EVENT_SOURCED_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.events (
    position          bigserial PRIMARY KEY,
    event_id          uuid NOT NULL UNIQUE,
    aggregate_id      text NOT NULL,
    aggregate_version integer NOT NULL,
    cluster_id        text,
    type              text NOT NULL,
    envelope          bytea NOT NULL,
    UNIQUE (aggregate_id, aggregate_version)
);
CREATE TABLE IF NOT EXISTS {schema}.outbox (
    position bigserial PRIMARY KEY,
    topic    text NOT NULL,
    key      text NOT NULL,
    payload  bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.command_outcomes (
    command_id  uuid PRIMARY KEY,
    fingerprint text NOT NULL,
    status      integer NOT NULL,
    body        bytea,
    decided_at  timestamptz NOT NULL DEFAULT now()
);
"""

OPS_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.heartbeats (
    service   text NOT NULL,
    instance  text NOT NULL,
    consuming boolean NOT NULL,
    seen_at   timestamptz NOT NULL,
    PRIMARY KEY (service, instance)
);
"""


@contextlib.asynccontextmanager
async def open_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> AsyncIterator[asyncpg.Pool]:
    try:
        pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, command_timeout=30)
    except RETRIABLE as exc:
        raise InfrastructureUnavailable(f"Postgres unreachable: {exc}") from exc
    try:
        yield pool
    finally:
        await pool.close()


async def ensure_schema(pool: asyncpg.Pool, schema: str, *ddl: str) -> None:
    """Creates a schema and its tables; safe to run from several processes at once."""
    async with pool.acquire() as conn, conn.transaction():
        # Serialise concurrent CREATE ... IF NOT EXISTS, which can otherwise race on the catalog.
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", schema)
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for statements in ddl:
            await conn.execute(statements.format(schema=schema))
