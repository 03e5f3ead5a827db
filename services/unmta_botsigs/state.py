"""Botsigs tables: the catalogue (loaded from the shipped data file when its version changes),
per-cluster toggles and custom signatures (projected from events in the same transaction)."""

from __future__ import annotations

import asyncpg

from unmta_common.envelope import EventEnvelope

from .catalogue import Catalogue
from .messages import CustomSignatureCreated, CustomSignatureDeleted, DefaultSignatureToggled, event_decoder

STATE_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.catalogue (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   text NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.defaults (
    key             text PRIMARY KEY,
    position        integer NOT NULL,
    type            text NOT NULL,
    pattern         text NOT NULL,
    source          text NOT NULL,
    label           text,
    kind            text NOT NULL,
    enabled_default boolean NOT NULL,
    search          text NOT NULL
);
CREATE INDEX IF NOT EXISTS defaults_by_source ON {schema}.defaults (source, position);
CREATE INDEX IF NOT EXISTS defaults_by_position ON {schema}.defaults (position);
CREATE TABLE IF NOT EXISTS {schema}.toggles (
    cluster_id text NOT NULL,
    key        text NOT NULL,
    enabled    boolean NOT NULL,
    PRIMARY KEY (cluster_id, key)
);
CREATE TABLE IF NOT EXISTS {schema}.custom_signatures (
    cluster_id text NOT NULL,
    id         uuid NOT NULL,
    type       text NOT NULL,
    pattern    text NOT NULL,
    label      text,
    kind       text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    seq        bigserial,
    PRIMARY KEY (cluster_id, id)
);
"""


async def install_catalogue(pool: asyncpg.Pool, schema: str, catalogue: Catalogue) -> bool:
    """Loads the catalogue into its table when this release is not there yet; True when it loaded."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{schema}.catalogue")
        if await conn.fetchval(f"SELECT version FROM {schema}.catalogue") == catalogue.version:
            return False
        await conn.execute(f"TRUNCATE {schema}.defaults")
        await conn.copy_records_to_table(
            "defaults", schema_name=schema,
            columns=["key", "position", "type", "pattern", "source", "label", "kind", "enabled_default", "search"],
            records=[(s.key, i, s.type, s.pattern, s.source, s.label, s.kind, s.enabled,
                      f"{s.key}\n{s.pattern}\n{s.label or ''}".lower()) for i, s in enumerate(catalogue.signatures)])
        await conn.execute(f"INSERT INTO {schema}.catalogue (version) VALUES ($1)"
                           " ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version", catalogue.version)
        return True


class BotsigsState:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def apply(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        s, at = self.schema, envelope.occurred_at
        match event_decoder.decode(envelope.data):
            case DefaultSignatureToggled() as e:
                await conn.execute(f"INSERT INTO {s}.toggles VALUES ($1, $2, $3) ON CONFLICT (cluster_id, key)"
                                   " DO UPDATE SET enabled = EXCLUDED.enabled", e.cluster_id, e.key, e.enabled)
            case CustomSignatureCreated() as e:
                await conn.execute(f"INSERT INTO {s}.custom_signatures (cluster_id, id, type, pattern, label, kind,"
                                   " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                                   e.cluster_id, e.id, e.type, e.pattern, e.label, e.kind, at)
            case CustomSignatureDeleted() as e:
                await conn.execute(f"DELETE FROM {s}.custom_signatures WHERE cluster_id = $1 AND id = $2",
                                   e.cluster_id, e.id)
