"""Domains state tables, projected in the same transaction as the events. Deleting a domain
destroys its data key here, in that same transaction: the sealed key in old events is dead."""

from __future__ import annotations

import asyncpg

from unmta_common.envelope import EventEnvelope
from unmta_common.rechecks import Rechecks

from .messages import DomainCreated, DomainDeleted, DomainVerified, event_decoder

STATE_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.domains (
    cluster_id text NOT NULL,
    name       text NOT NULL,
    status     text NOT NULL,
    public_key text NOT NULL,
    key_id     text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (cluster_id, name)
);
"""


class DomainsState:
    def __init__(self, schema: str, rechecks: Rechecks) -> None:
        self.schema = schema
        self._rechecks = rechecks

    async def apply(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        s, at = self.schema, envelope.occurred_at
        match event_decoder.decode(envelope.data):
            case DomainCreated() as e:
                await conn.execute(f"INSERT INTO {s}.domains VALUES ($1, $2, 'pending', $3, $4, $5, $5)",
                                   e.cluster_id, e.name, e.public_key, e.key_id, at)
                await self._rechecks.start(conn, e.cluster_id, e.name)
            case DomainVerified() as e:
                await conn.execute(f"UPDATE {s}.domains SET status = 'verified', updated_at = $3"
                                   " WHERE cluster_id = $1 AND name = $2", e.cluster_id, e.name, at)
                await self._rechecks.stop(conn, e.cluster_id, e.name)
            case DomainDeleted() as e:
                await conn.execute(f"DELETE FROM {s}.domains WHERE cluster_id = $1 AND name = $2",
                                   e.cluster_id, e.name)
                await self._rechecks.stop(conn, e.cluster_id, e.name)
                await conn.execute(f"DELETE FROM {s}.data_keys WHERE key_id = $1", e.key_id)
