"""DKIM keys at rest: a small pool of pre-generated keys, each sealed under its own data key.

RSA-2048 generation (~50-100 ms) runs in a thread and, at steady state, in the background: a
domain create takes a ready key from the pool inside its transaction (SKIP LOCKED, so concurrent
creates never share one). A private key exists in plaintext only in memory, during generation.
"""

from __future__ import annotations

import asyncio
import base64
import logging

import asyncpg

from unmta_common.crypto import MasterKey, seal
from unmta_common.ids import uuid7
from unmta_common.pg import RETRIABLE

from .dkim import generate_private_key_pem
from .domain import SealedKey

log = logging.getLogger(__name__)

KEYS_DDL = """
CREATE TABLE IF NOT EXISTS {schema}.data_keys (
    key_id  text PRIMARY KEY,
    wrapped bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}.key_pool (
    key_id             text PRIMARY KEY REFERENCES {schema}.data_keys (key_id),
    public_key         text NOT NULL,
    sealed_private_key bytea NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);
"""


def _new_sealed_key(master: MasterKey) -> tuple[SealedKey, bytes]:
    """A fresh key, sealed; returns it with its wrapped data key. Runs in a worker thread."""
    pem, public_key = generate_private_key_pem()
    key_id = uuid7()
    data_key, wrapped = master.new_data_key(key_id)
    sealed = seal(data_key, key_id, pem)
    return SealedKey(key_id=key_id, public_key=public_key,
                     sealed_private_key=base64.b64encode(sealed).decode()), wrapped


class KeyPool:
    def __init__(self, pool: asyncpg.Pool, schema: str, master: MasterKey, target_size: int) -> None:
        self._pool = pool
        self._schema = schema
        self._master = master
        self._target = target_size
        self._wake = asyncio.Event()
        self.generated_inline = 0

    async def _store(self, conn: asyncpg.Connection, key: SealedKey, wrapped: bytes, pooled: bool) -> None:
        await conn.execute(f"INSERT INTO {self._schema}.data_keys (key_id, wrapped) VALUES ($1, $2)",
                           key.key_id, wrapped)
        if pooled:
            await conn.execute(f"INSERT INTO {self._schema}.key_pool (key_id, public_key, sealed_private_key)"
                               " VALUES ($1, $2, $3)", key.key_id, key.public_key,
                               base64.b64decode(key.sealed_private_key))

    async def take(self, conn: asyncpg.Connection) -> SealedKey:
        """A key for a new domain, inside the caller's transaction."""
        row = await conn.fetchrow(
            f"DELETE FROM {self._schema}.key_pool WHERE key_id = (SELECT key_id FROM {self._schema}.key_pool"
            " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING key_id, public_key, sealed_private_key")
        self._wake.set()
        if row is not None:
            return SealedKey(key_id=row["key_id"], public_key=row["public_key"],
                             sealed_private_key=base64.b64encode(row["sealed_private_key"]).decode())
        # The pool ran dry (a burst of creates): generate now rather than fail.
        self.generated_inline += 1
        key, wrapped = await asyncio.to_thread(_new_sealed_key, self._master)
        await self._store(conn, key, wrapped, pooled=False)
        return key

    async def size(self) -> int:
        return await self._pool.fetchval(f"SELECT count(*) FROM {self._schema}.key_pool")

    async def refill_forever(self) -> None:
        while True:
            try:
                while await self.size() < self._target:
                    key, wrapped = await asyncio.to_thread(_new_sealed_key, self._master)
                    async with self._pool.acquire() as conn, conn.transaction():
                        await self._store(conn, key, wrapped, pooled=True)
            except RETRIABLE as exc:
                log.warning("key pool refill paused: %s", exc)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=5.0)
            except TimeoutError:
                pass
