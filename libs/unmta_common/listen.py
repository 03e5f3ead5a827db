"""A Postgres LISTEN that survives restarts: reconnects, and says when it (re)connected so the
caller can re-check whatever it may have missed meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from .pg import RETRIABLE

log = logging.getLogger(__name__)

Listener = Callable[[object, int, str, str], None]


async def listen_forever(pool: asyncpg.Pool, channel: str, on_notify: Listener,
                         on_connected: Callable[[], None], on_disconnected: Callable[[], None] = lambda: None) -> None:
    while True:
        try:
            async with pool.acquire() as conn:
                await conn.add_listener(channel, on_notify)
                try:
                    on_connected()
                    while not conn.is_closed():
                        await asyncio.sleep(1.0)
                        await conn.execute("SELECT 1")
                finally:
                    on_disconnected()
                    if not conn.is_closed():
                        with contextlib.suppress(Exception):
                            await asyncio.shield(conn.remove_listener(channel, on_notify))
        except RETRIABLE as exc:
            log.warning("LISTEN %s reconnecting: %s", channel, exc)
            await asyncio.sleep(0.5)
