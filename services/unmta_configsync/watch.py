"""Wakes long-polling pulls when their cluster's snapshots change (Postgres LISTEN)."""

from __future__ import annotations

import asyncio

import asyncpg

from unmta_common.listen import listen_forever

from . import store

SWAP = "*swap*"


class SnapshotWatch:
    def __init__(self, pool: asyncpg.Pool, channel: str) -> None:
        self._pool = pool
        self._channel = channel
        self._changes: dict[str, asyncio.Event] = {}
        self.listening = asyncio.Event()
        self.swaps = 0
        # The active generation's schema: read once, forgotten on a swap or a reconnect.
        self._schema: str | None = None

    async def active_schema(self, names) -> str:
        if self._schema is None:
            self._schema = await store.active_schema(self._pool, names)
        return self._schema

    def forget_schema(self) -> None:
        self._schema = None

    def change_signal(self, cluster_id: str) -> asyncio.Event:
        """An event set at the next change of `cluster_id` (one per cluster, shared by its waiters)."""
        signal = self._changes.get(cluster_id)
        if signal is None:
            signal = self._changes[cluster_id] = asyncio.Event()
        return signal

    def _notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload == SWAP:
            self.swaps += 1
            self._schema = None
            self._wake_all()
            return
        signal = self._changes.pop(payload, None)
        if signal is not None:
            signal.set()

    def _wake_all(self) -> None:
        changes, self._changes = self._changes, {}
        for signal in changes.values():
            signal.set()

    async def run(self) -> None:
        def connected() -> None:
            self._schema = None  # a swap may have happened while we were not listening
            self.listening.set()
            self._wake_all()  # whatever changed while we were not listening: every waiter re-checks

        await listen_forever(self._pool, self._channel, self._notify, connected, self.listening.clear)
