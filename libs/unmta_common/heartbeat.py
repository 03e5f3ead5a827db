"""Liveness rows: `/health` is green only while every service says it is consuming."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable

import asyncpg

from .pg import RETRIABLE

log = logging.getLogger(__name__)

INTERVAL_S = 2.0
STALE_AFTER_S = 10.0


async def beat_forever(pool: asyncpg.Pool, ops_schema: str, service: str, consuming: Callable[[], bool]) -> None:
    instance = f"{socket.gethostname()}:{os.getpid()}:{id(consuming):x}"
    while True:
        with contextlib.suppress(*RETRIABLE):
            await pool.execute(
                f"INSERT INTO {ops_schema}.heartbeats (service, instance, consuming, seen_at)"
                " VALUES ($1, $2, $3, now()) ON CONFLICT (service, instance)"
                " DO UPDATE SET consuming = EXCLUDED.consuming, seen_at = EXCLUDED.seen_at",
                service, instance, consuming(),
            )
        await asyncio.sleep(INTERVAL_S)


async def consuming_services(pool: asyncpg.Pool, ops_schema: str) -> set[str]:
    rows = await pool.fetch(
        f"SELECT DISTINCT service FROM {ops_schema}.heartbeats"
        f" WHERE consuming AND seen_at > now() - interval '{STALE_AFTER_S} seconds'"
    )
    return {row["service"] for row in rows}
