"""The MTA pull API: an MTA reads its own snapshot (ETag, 304, long-poll) and reports what it applied."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import random

import asyncpg
import msgspec
from aiohttp import web

from unmta_common.crypto import CryptoError, MasterKey, unseal

from .store import ConfigsyncNames
from .watch import SnapshotWatch

log = logging.getLogger(__name__)

MAX_WAIT_S = 60.0
MASTER_KEY = web.AppKey("configsync_master_key", MasterKey)
POOL_KEY = web.AppKey("configsync_pool", asyncpg.Pool)
WATCH_KEY = web.AppKey("configsync_watch", SnapshotWatch)
NAMES_KEY = web.AppKey("configsync_names", ConfigsyncNames)


class StatusReport(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    status: str  # "applied" or "failed"
    version: int | None = None
    etag: str | None = None
    error: str | None = None


_report_decoder = msgspec.json.Decoder(StatusReport)
_sealed_decoder = msgspec.json.Decoder(dict[str, str])
_keys_encoder = msgspec.json.Encoder(order="sorted")


def _json(status: int, body: dict) -> web.Response:
    return web.json_response(body, status=status)


def _unauthenticated() -> web.Response:
    return _json(401, {"message": "Unauthenticated."})


def _not_found() -> web.Response:
    return _json(404, {"message": "Not Found"})


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _in_active(app: web.Application, query: str, *args):
    """fetchrow against the active generation (`{schema}` in `query`). A replay may swap and drop the
    generation we cached: then re-read which one is active and try once more."""
    watch, names, pool = app[WATCH_KEY], app[NAMES_KEY], app[POOL_KEY]
    try:
        return await pool.fetchrow(query.format(schema=await watch.active_schema(names)), *args)
    except asyncpg.UndefinedTableError:
        watch.forget_schema()
        return await pool.fetchrow(query.format(schema=await watch.active_schema(names)), *args)


async def _token_mta(app: web.Application, token: str) -> str | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = await _in_active(app, "SELECT mta_id FROM {schema}.mta_tokens WHERE token_digest = $1", digest)
    return row["mta_id"] if row else None


async def _authorised_mta(request: web.Request) -> str | web.Response:
    """The MTA the path names, if the token is that MTA's own."""
    token = _bearer(request)
    if token is None:
        return _unauthenticated()
    mta_id = await _token_mta(request.app, token)
    if mta_id is None:
        return _unauthenticated()
    if mta_id != request.match_info["mta_id"]:
        return _not_found()  # another MTA's snapshot: indistinguishable from a missing one
    return mta_id


def _wait_seconds(request: web.Request) -> float | web.Response:
    raw = request.query.get("wait", "0")
    try:
        wait = float(raw)
    except ValueError:
        wait = -1
    if not 0 <= wait <= MAX_WAIT_S:
        return _json(422, {"message": f"The wait must be a number of seconds from 0 to {MAX_WAIT_S:.0f}.",
                           "errors": {"wait": [f"The wait must be between 0 and {MAX_WAIT_S:.0f}."]}})
    return wait


async def get_snapshot(request: web.Request) -> web.StreamResponse:
    mta_id = await _authorised_mta(request)
    if isinstance(mta_id, web.Response):
        return mta_id
    wait = _wait_seconds(request)
    if isinstance(wait, web.Response):
        return wait
    watch = request.app[WATCH_KEY]
    known = request.headers.get("If-None-Match")
    loop = asyncio.get_running_loop()
    # Jitter spreads the re-polls of many agents that timed out together.
    deadline = loop.time() + (wait * random.uniform(0.9, 1.0) if wait else 0)
    while True:
        row = await _read(request.app, mta_id)
        if row is None:
            return _not_found()
        signal = watch.change_signal(row["cluster_id"])
        # Re-read after taking the signal: a change between the read and the wait is not missed.
        row = await _read(request.app, mta_id)
        if row is None:
            return _not_found()
        if row["etag"] != known:
            body = await _with_private_keys(request.app, bytes(row["body"]), row["sealed_keys"])
            return web.Response(body=body, content_type="application/json", headers={"ETag": row["etag"]})
        remaining = deadline - loop.time()
        if remaining <= 0:
            return web.Response(status=304, headers={"ETag": row["etag"]})
        try:
            await asyncio.wait_for(signal.wait(), timeout=remaining)
        except TimeoutError:
            pass


async def _read(app: web.Application, mta_id: str):
    return await _in_active(app, "SELECT cluster_id, etag, body, sealed_keys FROM {schema}.snapshots"
                                 " WHERE mta_id = $1", mta_id)


async def _with_private_keys(app: web.Application, body: bytes, sealed_keys: bytes) -> bytes:
    """Adds `dkim_private_keys` (key_id -> PEM), unsealed in memory for this response only.

    Stored snapshots hold sealed keys; the plaintext exists only on the way to the MTA. A key whose
    data key was destroyed (its domain was deleted) is left out.
    """
    sealed = _sealed_decoder.decode(sealed_keys)
    if not sealed:
        return body
    names, master = app[NAMES_KEY], app[MASTER_KEY]
    rows = await app[POOL_KEY].fetch(f"SELECT key_id, wrapped FROM {names.key_store}.data_keys"
                                     " WHERE key_id = ANY($1)", list(sealed))
    keys = {}
    for row in rows:
        key_id = row["key_id"]
        try:
            data_key = master.unwrap(key_id, row["wrapped"])
            keys[key_id] = unseal(data_key, key_id, base64.b64decode(sealed[key_id])).decode()
        except CryptoError:
            log.error("a DKIM key could not be unsealed", extra={"key_id": key_id})
    return body[:-1] + b',"dkim_private_keys":' + _keys_encoder.encode(keys) + b"}"


async def report_status(request: web.Request) -> web.Response:
    mta_id = await _authorised_mta(request)
    if isinstance(mta_id, web.Response):
        return mta_id
    try:
        report = _report_decoder.decode(await request.read())
    except msgspec.DecodeError as exc:
        return _json(422, {"message": "The status report is invalid.", "errors": {"body": [str(exc)]}})
    if report.status not in ("applied", "failed"):
        return _json(422, {"message": "The status must be applied or failed.",
                           "errors": {"status": ["The status must be applied or failed."]}})
    table = f"{request.app[NAMES_KEY].control}.mta_status"
    await request.app[POOL_KEY].execute(
        f"INSERT INTO {table} (mta_id, applied_version, applied_etag, status, error, reported_at)"
        " VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (mta_id) DO UPDATE SET"
        f" applied_version = coalesce(EXCLUDED.applied_version, {table}.applied_version),"
        f" applied_etag = coalesce(EXCLUDED.applied_etag, {table}.applied_etag),"
        " status = EXCLUDED.status, error = EXCLUDED.error, reported_at = EXCLUDED.reported_at",
        mta_id, report.version if report.status == "applied" else None,
        report.etag if report.status == "applied" else None, report.status, (report.error or "")[:1000] or None,
    )
    return web.Response(status=204)


async def get_artifact(request: web.Request) -> web.Response:
    """A compiled artifact by its sha256 (immutable: any MTA may cache it forever)."""
    token = _bearer(request)
    if token is None or await _token_mta(request.app, token) is None:
        return _unauthenticated()
    pool, names = request.app[POOL_KEY], request.app[NAMES_KEY]
    body = await pool.fetchval(f"SELECT body FROM {names.artifacts} WHERE sha256 = $1", request.match_info["sha256"])
    if body is None:
        return _not_found()
    return web.Response(body=body, content_type="application/json",
                        headers={"ETag": f'"{request.match_info["sha256"]}"',
                                 "Cache-Control": "public, max-age=31536000, immutable"})


def add_pull_routes(app: web.Application) -> None:
    """Registers the routes; `bind_pull_state` supplies what they use (possibly later, at startup)."""
    app.router.add_get("/mta/v1/mtas/{mta_id}/snapshot", get_snapshot)
    app.router.add_get("/mta/v1/artifacts/{sha256}", get_artifact)
    app.router.add_post("/mta/v1/mtas/{mta_id}/status", report_status)


def bind_pull_state(app: web.Application, pool: asyncpg.Pool, watch: SnapshotWatch, names: ConfigsyncNames,
                    master_key: MasterKey) -> None:
    app[MASTER_KEY] = master_key
    app[POOL_KEY] = pool
    app[WATCH_KEY] = watch
    app[NAMES_KEY] = names
