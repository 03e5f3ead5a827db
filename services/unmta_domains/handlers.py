"""Domains use cases: load the (cluster, name) aggregate, decide, return events."""

from __future__ import annotations

import asyncpg

from unmta_common.commands import Decision, local_command
from unmta_common.decisions import Rejected
from unmta_common.dns import Resolver
from unmta_common.envelope import CommandEnvelope
from unmta_common.rechecks import Rechecks
from unmta_common.repository import Repository

from .domain import Domain
from .keys import KeyPool
from .messages import CreateDomain, DeleteDomain, RecordVerification, VerifyDomain, command_decoder, event_decoder
from .queries import DomainsQueries
from .verifier import dkim_check


def domain_key(cluster_id: str, name: str) -> str:
    return f"domain-{cluster_id}-{name}"


class DomainsHandlers:
    def __init__(self, pool: asyncpg.Pool, schema: str, keys: KeyPool, resolver: Resolver,
                 rechecks: Rechecks) -> None:
        self._pool = pool
        self._rechecks = rechecks
        self._repository = Repository(schema, event_decoder, "domain")
        self._keys = keys
        self._resolver = resolver
        self._queries = DomainsQueries(schema)

    async def recheck(self, processor, cluster_id: str, name: str) -> None:
        """A background check of a pending domain, decided as the service's own command."""
        view = await self._queries.get(self._pool, cluster_id, name)
        if view is None or view.status != "pending":
            return
        error = await dkim_check(self._resolver, name, view.dkim_public_key)
        await processor.decide(local_command(RecordVerification(cluster_id=cluster_id, name=name, error=error),
                                             cluster_id=cluster_id, actor="domains.verifier"))

    async def prepare(self, command: CommandEnvelope) -> object:
        """A DNS check for VerifyDomain, outside the transaction."""
        payload = command_decoder.decode(command.payload)
        if not isinstance(payload, VerifyDomain):
            return None
        view = await self._queries.get(self._pool, payload.cluster_id, payload.name)
        if view is None:
            return None
        return await dkim_check(self._resolver, payload.name, view.dkim_public_key)

    async def __call__(self, conn: asyncpg.Connection, command: CommandEnvelope, prepared: object) -> Decision:
        payload = command_decoder.decode(command.payload)
        try:
            return await self._decide(conn, command, payload, prepared)
        except Rejected as rejected:
            return Decision(rejected.status, rejected.body())

    async def _load(self, conn: asyncpg.Connection, cluster_id: str, name: str) -> Domain:
        return await self._repository.load(conn, domain_key(cluster_id, name), Domain(cluster_id, name))

    def _envelopes(self, domain: Domain, events: list, command: CommandEnvelope):
        return self._repository.envelopes(domain_key(domain.cluster_id, domain.name), domain, domain.cluster_id,
                                          events, command)

    async def _decide(self, conn, command: CommandEnvelope, payload, prepared) -> Decision:
        q = self._queries
        match payload:
            case CreateDomain(cluster_id=cluster_id, name=name):
                domain = await self._load(conn, cluster_id, name)
                domain.check_creatable()  # before taking a key, so a refusal wastes none
                events = domain.create(await self._keys.take(conn))
                return Decision(201, events=self._envelopes(domain, events, command),
                                body_from_state=lambda c: _data(q.get(c, cluster_id, name)))
            case DeleteDomain(cluster_id=cluster_id, name=name):
                domain = await self._load(conn, cluster_id, name)
                return Decision(204, events=self._envelopes(domain, domain.delete(), command))
            case VerifyDomain(cluster_id=cluster_id, name=name):
                domain = await self._load(conn, cluster_id, name)
                error = prepared if isinstance(prepared, str) else None
                events = domain.record_check(error)
                if domain.status == "pending" and error is not None:
                    await self._rechecks.failed(conn, cluster_id, name, error)
                verification = {"verified": error is None, "error": error}
                return Decision(200, events=self._envelopes(domain, events, command),
                                body_from_state=lambda c: _verification(q.get(c, cluster_id, name), verification))
            case RecordVerification(cluster_id=cluster_id, name=name, error=error):
                domain = await self._load(conn, cluster_id, name)
                events = domain.record_check(error)
                if not events and domain.status == "pending":
                    await self._rechecks.failed(conn, cluster_id, name, error)
                return Decision(200, events=self._envelopes(domain, events, command))
        raise AssertionError(f"unhandled command {payload!r}")


async def _data(view) -> dict:
    return {"data": await view}


async def _verification(view, verification: dict) -> dict:
    return {"data": await view, "verification": verification}


__all__ = ["DomainsHandlers", "domain_key"]
