"""configsync tables. Projection tables live in a generation schema (`<ns>_configsync_g<N>`) so a
replay can build a fresh one beside the live one and swap it in with one UPDATE."""

from __future__ import annotations

import asyncpg

from unmta_common.config import Names
from unmta_common.consumer import POSITIONS_DDL
from unmta_common.pg import ensure_schema

from .projection import ClusterState, RenderedSnapshot, state_decoder, state_encoder

# The services whose event topics the snapshots are projected from.
SOURCE_SERVICES = ("fleet", "domains", "credentials", "tracking", "botsigs")

CONTROL_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.active (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation integer NOT NULL
);
INSERT INTO {schema}.active (generation) VALUES (1) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS {schema}.catalogue_release (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   text NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.artifacts (
    sha256 text PRIMARY KEY,
    body   bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.mta_status (
    mta_id          text PRIMARY KEY,
    applied_version bigint,
    applied_etag    text,
    status          text NOT NULL,
    error           text,
    reported_at     timestamptz NOT NULL
);
"""

GENERATION_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.cluster_state (
    cluster_id text PRIMARY KEY,
    state      bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.snapshots (
    mta_id     text PRIMARY KEY,
    cluster_id text NOT NULL,
    version    bigint NOT NULL,
    etag       text NOT NULL,
    body       bytea NOT NULL,
    sealed_keys bytea NOT NULL
);
-- Generations created before DKIM keys were projected lack this column.
ALTER TABLE {schema}.snapshots ADD COLUMN IF NOT EXISTS sealed_keys bytea NOT NULL DEFAULT '{{}}'::bytea;
CREATE TABLE IF NOT EXISTS {schema}.mta_tokens (
    token_digest text PRIMARY KEY,
    mta_id       text NOT NULL
);
"""


class ConfigsyncNames:
    def __init__(self, namespace: str) -> None:
        names = Names(namespace)
        self.control = names.schema("configsync")
        self.channel = names.channel("snapshots")
        self.lock_key = f"{self.control}.projector"
        # Event topics this projection reads; other services' topics join as they arrive.
        self.source_topics = [names.events_topic(service) for service in SOURCE_SERVICES]
        self.artifacts = f"{self.control}.artifacts"
        # Where the domains service keeps DKIM data keys (read at serve time to unseal keys).
        self.key_store = names.schema("domains")
        self.dead_letter_topic = names.dead_letter_topic("configsync")

    def generation_schema(self, generation: int) -> str:
        return f"{self.control}_g{generation}"


async def ensure_control(pool: asyncpg.Pool, names: ConfigsyncNames) -> str:
    await ensure_schema(pool, names.control, CONTROL_DDL)
    generation = await pool.fetchval(f"SELECT generation FROM {names.control}.active")
    schema = names.generation_schema(generation)
    await ensure_generation(pool, schema)
    return schema


async def ensure_generation(pool: asyncpg.Pool, schema: str) -> None:
    await ensure_schema(pool, schema, GENERATION_DDL, POSITIONS_DDL)


async def active_schema(db, names: ConfigsyncNames) -> str:
    return names.generation_schema(await db.fetchval(f"SELECT generation FROM {names.control}.active"))


async def load_states(conn: asyncpg.Connection, schema: str, cluster_ids: list[str]) -> dict[str, ClusterState]:
    rows = await conn.fetch(f"SELECT cluster_id, state FROM {schema}.cluster_state WHERE cluster_id = ANY($1)",
                            cluster_ids)
    return {r["cluster_id"]: state_decoder.decode(r["state"]) for r in rows}


async def save_cluster(conn: asyncpg.Connection, schema: str, state: ClusterState,
                       snapshots: list[RenderedSnapshot]) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.cluster_state (cluster_id, state) VALUES ($1, $2)"
        " ON CONFLICT (cluster_id) DO UPDATE SET state = EXCLUDED.state",
        state.cluster_id, state_encoder.encode(state))
    await conn.executemany(
        f"INSERT INTO {schema}.snapshots (mta_id, cluster_id, version, etag, body, sealed_keys)"
        " VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (mta_id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id, version = EXCLUDED.version,"
        " etag = EXCLUDED.etag, body = EXCLUDED.body, sealed_keys = EXCLUDED.sealed_keys",
        [(s.mta_id, state.cluster_id, s.version, s.etag, s.body, state_encoder.encode(s.sealed_keys))
         for s in snapshots])
    await conn.execute(f"DELETE FROM {schema}.snapshots WHERE cluster_id = $1 AND NOT (mta_id = ANY($2))",
                       state.cluster_id, [s.mta_id for s in snapshots])
    await conn.executemany(
        f"INSERT INTO {schema}.mta_tokens (token_digest, mta_id) VALUES ($1, $2)"
        " ON CONFLICT (token_digest) DO UPDATE SET mta_id = EXCLUDED.mta_id",
        [(m.token_digest, m.id) for m in state.mtas.values()])


async def store_artifact(conn: asyncpg.Connection, names: ConfigsyncNames, sha256: str, body_of) -> None:
    """Stores a content-addressed artifact once (shared by every generation and cluster)."""
    if not await conn.fetchval(f"SELECT 1 FROM {names.artifacts} WHERE sha256 = $1", sha256):
        await conn.execute(f"INSERT INTO {names.artifacts} (sha256, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           sha256, body_of())
