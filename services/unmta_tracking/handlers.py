"""Tracking use cases: load the cluster's tracking set, decide, return events."""

from __future__ import annotations

import secrets

import asyncpg

from unmta_common.commands import Decision, local_command
from unmta_common.decisions import Rejected
from unmta_common.dns import Resolver
from unmta_common.envelope import CommandEnvelope
from unmta_common.rechecks import Rechecks
from unmta_common.repository import Repository

from .domain import TrackingDomains
from .messages import (
    CreateTrackingDomain,
    DeleteTrackingDomain,
    RecordTrackingCheck,
    SetDefaultTrackingDomain,
    VerifyTrackingDomain,
    command_decoder,
    event_decoder,
)
from .queries import TrackingQueries
from .verifier import cname_check

HOSTNAME_ATTEMPTS = 5


def tracking_key(cluster_id: str) -> str:
    return f"tracking-{cluster_id}"


class TrackingHandlers:
    def __init__(self, pool: asyncpg.Pool, schema: str, base_domain: str, resolver: Resolver,
                 rechecks: Rechecks) -> None:
        self._pool = pool
        self._base_domain = base_domain
        self._resolver = resolver
        self._rechecks = rechecks
        self._repository = Repository(schema, event_decoder, "tracking")
        self._queries = TrackingQueries(schema)

    async def _check(self, cluster_id: str, name: str) -> str | None | bool:
        """The CNAME check's error (None: verified), or False when there is no such domain."""
        view = await self._queries.get(self._pool, cluster_id, name)
        if view is None:
            return False
        return await cname_check(self._resolver, name, view.verification_hostname)

    async def prepare(self, command: CommandEnvelope) -> object:
        payload = command_decoder.decode(command.payload)
        if isinstance(payload, VerifyTrackingDomain):
            return await self._check(payload.cluster_id, payload.name)
        return None

    async def recheck(self, processor, cluster_id: str, name: str) -> None:
        error = await self._check(cluster_id, name)
        if error is not False:
            await processor.decide(local_command(RecordTrackingCheck(cluster_id=cluster_id, name=name, error=error),
                                                 cluster_id=cluster_id, actor="tracking.verifier"))

    async def _new_hostname(self, conn: asyncpg.Connection) -> str:
        for _ in range(HOSTNAME_ATTEMPTS):
            hostname = f"v-{secrets.token_hex(8)}.track.{self._base_domain}"
            if not await self._queries.hostname_taken(conn, hostname):
                return hostname
        raise RuntimeError("no free verification hostname")

    async def __call__(self, conn: asyncpg.Connection, command: CommandEnvelope, prepared: object) -> Decision:
        payload = command_decoder.decode(command.payload)
        cluster_id, name = payload.cluster_id, payload.name
        key = tracking_key(cluster_id)
        tracking = await self._repository.load(conn, key, TrackingDomains(cluster_id))
        q = self._queries
        try:
            match payload:
                case CreateTrackingDomain(is_default=is_default):
                    events = tracking.create(name, is_default, await self._new_hostname(conn))
                    status, body = 201, lambda c: _data(q.detail(c, cluster_id, name))
                case SetDefaultTrackingDomain(is_default=is_default):
                    events = tracking.set_default(name, is_default)
                    status, body = 200, lambda c: _data(q.get(c, cluster_id, name))
                case DeleteTrackingDomain():
                    events, status, body = tracking.delete(name), 204, None
                case VerifyTrackingDomain() | RecordTrackingCheck():
                    error = prepared if isinstance(payload, VerifyTrackingDomain) else payload.error
                    if error is False:
                        raise Rejected(404, "Not Found")
                    events = tracking.record_check(name, error)
                    if not events and tracking.names.get(name) == "pending":
                        await self._rechecks.failed(conn, cluster_id, name, error)
                    verification = {"verified": error is None, "error": error}
                    status, body = 200, lambda c: _verification(q.detail(c, cluster_id, name), verification)
        except Rejected as rejected:
            return Decision(rejected.status, rejected.body())
        return Decision(status, events=self._repository.envelopes(key, tracking, cluster_id, events, command),
                        body_from_state=body)


async def _data(view) -> dict:
    return {"data": await view}


async def _verification(view, verification: dict) -> dict:
    return {"data": await view, "verification": verification}
