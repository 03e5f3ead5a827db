"""Tracking state tables. A partial unique index backs the one-default invariant in the database
too: a bug elsewhere would fail the transaction rather than leave two defaults."""

from __future__ import annotations

import asyncpg

from unmta_common.envelope import EventEnvelope
from unmta_common.rechecks import Rechecks

from .messages import (
    DefaultTrackingDomainChanged,
    TrackingDomainCreated,
    TrackingDomainDeleted,
    TrackingDomainVerified,
    event_decoder,
)

STATE_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.tracking_domains (
    cluster_id            text NOT NULL,
    name                  text NOT NULL,
    status                text NOT NULL,
    is_default            boolean NOT NULL DEFAULT false,
    verification_hostname text NOT NULL UNIQUE,
    verified_at           text,
    created_at            text NOT NULL,
    updated_at            text NOT NULL,
    PRIMARY KEY (cluster_id, name)
);
CREATE UNIQUE INDEX IF NOT EXISTS one_default_per_cluster ON {schema}.tracking_domains (cluster_id)
    WHERE is_default;
"""


class TrackingState:
    def __init__(self, schema: str, rechecks: Rechecks) -> None:
        self.schema = schema
        self._rechecks = rechecks

    async def apply(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        s, at = self.schema, envelope.occurred_at
        match event_decoder.decode(envelope.data):
            case TrackingDomainCreated() as e:
                await conn.execute(f"INSERT INTO {s}.tracking_domains (cluster_id, name, status,"
                                   " verification_hostname, created_at, updated_at)"
                                   " VALUES ($1, $2, 'pending', $3, $4, $4)",
                                   e.cluster_id, e.name, e.verification_hostname, at)
                await self._rechecks.start(conn, e.cluster_id, e.name)
            case DefaultTrackingDomainChanged() as e:
                # Unset first, then set: the unique index is checked row by row.
                await conn.execute(f"UPDATE {s}.tracking_domains SET is_default = false, updated_at = $2"
                                   " WHERE cluster_id = $1 AND is_default", e.cluster_id, at)
                if e.name is not None:
                    await conn.execute(f"UPDATE {s}.tracking_domains SET is_default = true, updated_at = $3"
                                       " WHERE cluster_id = $1 AND name = $2", e.cluster_id, e.name, at)
            case TrackingDomainVerified() as e:
                await conn.execute(f"UPDATE {s}.tracking_domains SET status = 'active', verified_at = $3,"
                                   " updated_at = $3 WHERE cluster_id = $1 AND name = $2", e.cluster_id, e.name, at)
                await self._rechecks.stop(conn, e.cluster_id, e.name)
            case TrackingDomainDeleted() as e:
                await conn.execute(f"DELETE FROM {s}.tracking_domains WHERE cluster_id = $1 AND name = $2",
                                   e.cluster_id, e.name)
                await self._rechecks.stop(conn, e.cluster_id, e.name)
