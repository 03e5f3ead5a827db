"""Background re-checks with exponential backoff (DNS verification of pending names).

A row per (cluster, name) that still needs checking; the owner's state projection adds it when a
name is created and removes it when the name is verified or deleted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from .pg import RETRIABLE

log = logging.getLogger(__name__)

RECHECKS_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.verification_checks (
    cluster_id    text NOT NULL,
    name          text NOT NULL,
    next_check_at timestamptz NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    PRIMARY KEY (cluster_id, name)
);
CREATE INDEX IF NOT EXISTS verification_due ON {schema}.verification_checks (next_check_at);
"""

BATCH = 20


class Rechecks:
    def __init__(self, schema: str, base_interval_s: float, max_interval_s: float) -> None:
        self._schema = schema
        self._base = base_interval_s
        self._max = max_interval_s

    async def start(self, conn: asyncpg.Connection, cluster_id: str, name: str) -> None:
        await conn.execute(f"INSERT INTO {self._schema}.verification_checks (cluster_id, name, next_check_at)"
                           " VALUES ($1, $2, now()) ON CONFLICT (cluster_id, name) DO UPDATE"
                           " SET next_check_at = now(), attempts = 0, last_error = NULL", cluster_id, name)

    async def stop(self, conn: asyncpg.Connection, cluster_id: str, name: str) -> None:
        await conn.execute(f"DELETE FROM {self._schema}.verification_checks WHERE cluster_id = $1 AND name = $2",
                           cluster_id, name)

    async def failed(self, conn: asyncpg.Connection, cluster_id: str, name: str, error: str | None) -> None:
        """Schedules the next check: base * 2^attempts, capped."""
        await conn.execute(
            f"UPDATE {self._schema}.verification_checks SET last_error = $3, attempts = attempts + 1,"
            f" next_check_at = now() + make_interval(secs => least($4 * power(2, least(attempts, 20)), $5))"
            f" WHERE cluster_id = $1 AND name = $2",
            cluster_id, name, error, self._base, self._max)

    def task(self, pool: asyncpg.Pool, recheck: Callable[[object, str, str], Awaitable[None]], tick_s: float):
        """A `background_tasks` entry for run_command_service: `recheck(processor, cluster_id, name)`
        for every due row, decided through the service's own command processor."""
        return lambda running: self.run(pool, lambda cluster_id, name: recheck(running.processor, cluster_id, name),
                                        tick_s)

    async def run(self, pool: asyncpg.Pool, check: Callable[[str, str], Awaitable[None]], tick_s: float) -> None:
        """Calls `check(cluster_id, name)` for every due row, forever."""
        while True:
            try:
                due = await pool.fetch(
                    f"SELECT cluster_id, name FROM {self._schema}.verification_checks"
                    f" WHERE next_check_at <= now() ORDER BY next_check_at LIMIT {BATCH}")
                for row in due:
                    await check(row["cluster_id"], row["name"])
            except RETRIABLE as exc:
                log.warning("background re-checks paused: %s", exc)
            await asyncio.sleep(tick_s)
