"""Fleet state tables: a projection of fleet events kept in the same transaction as the events."""

from __future__ import annotations

import asyncpg

from unmta_common.envelope import EventEnvelope, encode

from .messages import (
    ApiTokenIssued,
    ApiTokenRevoked,
    ClusterAccessGranted,
    ClusterCreated,
    ClusterRateChanged,
    MtaRegistered,
    UserRegistered,
    event_decoder,
)

STATE_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.clusters (
    id               text PRIMARY KEY,
    hostname         text NOT NULL,
    region           text NOT NULL,
    status           text NOT NULL,
    max_message_rate text,
    created_at       text NOT NULL,
    updated_at       text NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.mtas (
    id           text PRIMARY KEY,
    cluster_id   text NOT NULL REFERENCES {schema}.clusters (id),
    hostname     text NOT NULL,
    primary_ipv4 text NOT NULL,
    primary_ipv6 text,
    outbound_ips text NOT NULL,
    token_digest text NOT NULL UNIQUE,
    created_at   text NOT NULL,
    updated_at   text NOT NULL
);
CREATE INDEX IF NOT EXISTS mtas_by_cluster ON {schema}.mtas (cluster_id, created_at, id);
CREATE TABLE IF NOT EXISTS {schema}.users (
    id         text PRIMARY KEY,
    email      text NOT NULL UNIQUE,
    created_at text NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.api_tokens (
    user_id      text PRIMARY KEY REFERENCES {schema}.users (id),
    token_digest text NOT NULL UNIQUE,
    issued_at    text NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.grants (
    user_id    text NOT NULL REFERENCES {schema}.users (id),
    cluster_id text NOT NULL REFERENCES {schema}.clusters (id),
    granted_at text NOT NULL,
    PRIMARY KEY (user_id, cluster_id)
);
"""


class FleetState:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def apply(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        s, at = self.schema, envelope.occurred_at
        match event_decoder.decode(envelope.data):
            case ClusterCreated() as e:
                await conn.execute(
                    f"INSERT INTO {s}.clusters VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    e.cluster_id, e.hostname, e.region, e.status, e.max_message_rate, at)
            case ClusterRateChanged() as e:
                await conn.execute(f"UPDATE {s}.clusters SET max_message_rate = $2, updated_at = $3 WHERE id = $1",
                                   e.cluster_id, e.max_message_rate, at)
            case MtaRegistered() as e:
                await conn.execute(
                    f"INSERT INTO {s}.mtas VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                    e.mta_id, e.cluster_id, e.hostname, e.primary_ipv4, e.primary_ipv6,
                    encode(e.outbound_ips).decode(), e.token_digest, at)
            case UserRegistered() as e:
                await conn.execute(f"INSERT INTO {s}.users VALUES ($1, $2, $3)", e.user_id, e.email, at)
            case ClusterAccessGranted() as e:
                await conn.execute(f"INSERT INTO {s}.grants VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                   e.user_id, e.cluster_id, at)
            case ApiTokenIssued() as e:
                await conn.execute(
                    f"INSERT INTO {s}.api_tokens VALUES ($1, $2, $3) ON CONFLICT (user_id)"
                    " DO UPDATE SET token_digest = EXCLUDED.token_digest, issued_at = EXCLUDED.issued_at",
                    e.user_id, e.token_digest, at)
            case ApiTokenRevoked() as e:
                await conn.execute(f"DELETE FROM {s}.api_tokens WHERE user_id = $1", e.user_id)
