"""Credentials state tables, projected in the same transaction as the events."""

from __future__ import annotations

import asyncpg

from unmta_common.envelope import EventEnvelope, encode

from .messages import CredentialCreated, CredentialDeleted, CredentialRestricted, event_decoder

STATE_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.credentials (
    cluster_id   text NOT NULL,
    "user"       text NOT NULL,
    restrictions bytea NOT NULL,
    created_at   text NOT NULL,
    updated_at   text NOT NULL,
    PRIMARY KEY (cluster_id, "user")
);
"""


class CredentialsState:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def apply(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        s, at = self.schema, envelope.occurred_at
        match event_decoder.decode(envelope.data):
            case CredentialCreated() as e:
                await conn.execute(f'INSERT INTO {s}.credentials VALUES ($1, $2, $3, $4, $4)',
                                   e.cluster_id, e.user, encode(e.restrictions), at)
            case CredentialRestricted() as e:
                await conn.execute(f'UPDATE {s}.credentials SET restrictions = $3, updated_at = $4'
                                   f' WHERE cluster_id = $1 AND "user" = $2',
                                   e.cluster_id, e.user, encode(e.restrictions), at)
            case CredentialDeleted() as e:
                await conn.execute(f'DELETE FROM {s}.credentials WHERE cluster_id = $1 AND "user" = $2',
                                   e.cluster_id, e.user)
