"""Applies events to cluster states and re-renders only the clusters an event touched."""

from __future__ import annotations

import asyncpg

from unmta_botsigs.artifacts import artifact_body, defaults_artifact
from unmta_botsigs.catalogue import load_catalogue
from unmta_common.envelope import EventEnvelope

from . import projection, store
from .store import ConfigsyncNames


class SnapshotProjection:
    """The `Projection` of `unmta_common.consumer`: one instance per consumer, one batch at a time.

    `live=True` takes the projector lock in every batch and follows the active generation, so a
    replay can hold the lock, catch up and swap; `live=False` writes into a fixed schema (replay).
    """

    def __init__(self, names: ConfigsyncNames, *, live: bool, schema: str | None = None) -> None:
        self._names = names
        self._live = live
        self._schema = schema
        self._touched: dict[str, projection.ClusterState] = {}
        self._loaded: dict[str, projection.ClusterState] = {}

    async def begin(self, conn: asyncpg.Connection) -> str:
        self._touched.clear()
        self._loaded.clear()
        if self._live:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self._names.lock_key)
            self._schema = await store.active_schema(conn, self._names)
        return self._schema

    async def apply(self, conn: asyncpg.Connection, event: EventEnvelope) -> None:
        if event.cluster_id is None:
            return
        state = await self._state(conn, event.cluster_id)
        after = projection.apply(state, event)
        if after is not state:
            self._loaded[event.cluster_id] = after
            self._touched[event.cluster_id] = after

    async def _state(self, conn: asyncpg.Connection, cluster_id: str) -> projection.ClusterState:
        if cluster_id not in self._loaded:
            found = await store.load_states(conn, self._schema, [cluster_id])
            self._loaded[cluster_id] = found.get(cluster_id) or projection.ClusterState(cluster_id=cluster_id)
        return self._loaded[cluster_id]

    async def end(self, conn: asyncpg.Connection) -> None:
        await self.save(conn, self._touched)

    async def save(self, conn: asyncpg.Connection, states: dict[str, projection.ClusterState]) -> None:
        for cluster_id, state in states.items():
            rendered = projection.render(state)
            if rendered:
                meta = defaults_artifact(state.bot_toggles)
                await store.store_artifact(conn, self._names, meta.sha256, lambda s=state: artifact_body(s.bot_toggles))
            await store.save_cluster(conn, self._schema, state, rendered)
            if self._live:
                await conn.execute("SELECT pg_notify($1, $2)", self._names.channel, cluster_id)


async def follow_catalogue_release(pool: asyncpg.Pool, names: ConfigsyncNames) -> int:
    """Re-renders every cluster when the shipped default catalogue differs from the one the
    snapshots were rendered with; returns how many clusters it re-rendered.

    Each distinct enabled set compiles once (memoised), however many clusters share it.
    """
    release = load_catalogue().version
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", names.lock_key)
        rendered_with = await conn.fetchval(f"SELECT version FROM {names.control}.catalogue_release")
        if rendered_with == release:
            return 0
        await conn.execute(f"INSERT INTO {names.control}.catalogue_release (version) VALUES ($1)"
                           " ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version", release)
        if rendered_with is None:
            return 0  # first start: every snapshot is rendered with this release as it is projected
        schema = await store.active_schema(conn, names)
        rows = await conn.fetch(f"SELECT cluster_id, state FROM {schema}.cluster_state")
        states = {r["cluster_id"]: projection.state_decoder.decode(r["state"]) for r in rows}
        await SnapshotProjection(names, live=False, schema=schema).save(conn, states)
        for cluster_id in states:
            await conn.execute("SELECT pg_notify($1, $2)", names.channel, cluster_id)
        return len(states)
