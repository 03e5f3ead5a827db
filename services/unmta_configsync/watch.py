"""Wakes long-polling pulls when their cluster's snapshots change (Postgres LISTEN)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from unmta_common.pg import RETRIABLE

log = logging.getLogger(__name__)

SWAP = "*swap*"


class SnapshotWatch:
    def __init__(self, pool: asyncpg.Pool, channel: str) -> None:
        self._pool = pool
        self._channel = channel
        self._changes: dict[str, asyncio.Event] = {}
        self.listening = asyncio.Event()
        self.swaps = 0

    def change_signal(self, cluster_id: str) -> asyncio.Event:
        """An event set at the next change of `cluster_id` (one per cluster, shared by its waiters)."""
        signal = self._changes.get(cluster_id)
        if signal is None:
            signal = self._changes[cluster_id] = asyncio.Event()
        return signal

    def _notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        if payload == SWAP:
            self.swaps += 1
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
        while True:
            try:
                async with self._pool.acquire() as conn:
                    await conn.add_listener(self._channel, self._notify)
                    try:
                        self.listening.set()
                        # Whatever changed while we were not listening: let every waiter re-check.
                        self._wake_all()
                        while not conn.is_closed():
                            await asyncio.sleep(1.0)
                            await conn.execute("SELECT 1")
                    finally:
                        if not conn.is_closed():
                            with contextlib.suppress(Exception):
                                await asyncio.shield(conn.remove_listener(self._channel, self._notify))
            except asyncio.CancelledError:
                raise
            except RETRIABLE as exc:
                self.listening.clear()
                log.warning("snapshot watch reconnecting: %s", exc)
                await asyncio.sleep(0.5)
            finally:
                self.listening.clear()
