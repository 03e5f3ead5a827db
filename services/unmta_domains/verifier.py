"""DKIM verification: is the issued key published at unmta._domainkey.<domain>?

Checked on demand (POST .../verify) and, for pending domains, in the background on a backoff
schedule. Any DNS failure is a readable error, never an exception to the caller.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import msgspec

from unmta_common.commands import CommandProcessor
from unmta_common.dns import LookupFailed, Resolver
from unmta_common.envelope import CommandEnvelope, encode
from unmta_common.ids import uuid7
from unmta_common.pg import RETRIABLE
from unmta_common.timefmt import utc_now

from .dkim import check_dkim_record, dkim_record_name
from .messages import RecordVerification

log = logging.getLogger(__name__)

BATCH = 20


async def dkim_check(resolver: Resolver, domain: str, public_key: str) -> str | None:
    """None when verified; otherwise the reason, fit to show a customer."""
    try:
        records = await resolver.txt(dkim_record_name(domain))
    except LookupFailed as exc:
        if exc.kind in ("nxdomain", "nodata"):
            return f"No DKIM TXT record found at {dkim_record_name(domain)}."
        return exc.message
    return check_dkim_record(records, public_key)


class BackgroundVerifier:
    def __init__(self, pool: asyncpg.Pool, schema: str, resolver: Resolver, processor: CommandProcessor,
                 base_interval_s: float, max_interval_s: float, tick_s: float) -> None:
        self._pool = pool
        self._schema = schema
        self._resolver = resolver
        self._processor = processor
        self._base = base_interval_s
        self._max = max_interval_s
        self._tick = tick_s

    async def run(self) -> None:
        while True:
            try:
                due = await self._pool.fetch(
                    f"SELECT c.cluster_id, c.name, d.public_key FROM {self._schema}.verification_checks c"
                    f" JOIN {self._schema}.domains d USING (cluster_id, name)"
                    f" WHERE d.status = 'pending' AND c.next_check_at <= now() ORDER BY c.next_check_at LIMIT {BATCH}")
                for row in due:
                    error = await dkim_check(self._resolver, row["name"], row["public_key"])
                    await self._processor.decide(_local(RecordVerification(
                        cluster_id=row["cluster_id"], name=row["name"], error=error)))
            except RETRIABLE as exc:
                log.warning("background verification paused: %s", exc)
            await asyncio.sleep(self._tick)

    async def note_check(self, conn: asyncpg.Connection, cluster_id: str, name: str, error: str | None) -> None:
        """Schedules the next background check of a still-pending domain (exponential backoff)."""
        await conn.execute(
            f"UPDATE {self._schema}.verification_checks SET last_error = $3, attempts = attempts + 1,"
            f" next_check_at = now() + make_interval(secs => least($4 * power(2, least(attempts, 20)), $5))"
            f" WHERE cluster_id = $1 AND name = $2",
            cluster_id, name, error, self._base, self._max)


def _local(payload: msgspec.Struct) -> CommandEnvelope:
    command_id = uuid7()
    return CommandEnvelope(command_id=command_id, type=type(payload).__struct_config__.tag,
                           cluster_id=payload.cluster_id, partition_key=payload.cluster_id, issued_at=utc_now(),
                           correlation_id=command_id, actor="domains.verifier", fingerprint="",
                           payload=msgspec.Raw(encode(payload)))
