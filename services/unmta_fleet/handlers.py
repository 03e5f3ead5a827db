"""Fleet use cases: load one aggregate from its events, decide, return the events to save."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import asyncpg
import msgspec

from unmta_common.commands import Decision
from unmta_common.decisions import Rejected
from unmta_common.envelope import CommandEnvelope
from unmta_common.ids import short_id, uuid7
from unmta_common.repository import Repository

from .domain import Cluster, Mta, User
from .messages import (
    CreateCluster,
    FleetEvent,
    GrantClusterAccess,
    IssueApiToken,
    RegisterMta,
    RegisterUser,
    RevokeApiToken,
    SetClusterRate,
    command_decoder,
    event_decoder,
)
from .queries import FleetQueries

A = TypeVar("A", Cluster, Mta, User)

_ID_ATTEMPTS = 5


def cluster_key(cluster_id: str) -> str:
    return f"cluster-{cluster_id}"


def mta_key(mta_id: str) -> str:
    return f"mta-{mta_id}"


def user_key(email: str) -> str:
    return f"user-{email}"


class FleetHandlers:
    def __init__(self, schema: str, base_domain: str) -> None:
        self._schema = schema
        self._repository = Repository(schema, event_decoder, "cluster")
        self._base_domain = base_domain
        self._queries = FleetQueries(schema)

    async def __call__(self, conn: asyncpg.Connection, command: CommandEnvelope, _prepared: object = None) -> Decision:
        try:
            payload = command_decoder.decode(command.payload)
        except msgspec.ValidationError as exc:
            return Decision(422, {"message": f"Invalid command: {exc}"})
        try:
            return await self._decide(conn, command, payload)
        except Rejected as rejected:
            return Decision(rejected.status, rejected.body())

    async def _load(self, conn: asyncpg.Connection, key: str, aggregate: A) -> A:
        return await self._repository.load(conn, key, aggregate)

    def _events(self, key: str, aggregate: A, cluster_id: str | None, kind: str, events: list[FleetEvent],
                command: CommandEnvelope):
        return self._repository.envelopes(key, aggregate, cluster_id, events, command, aggregate_type=kind)

    async def _new_id(self, conn: asyncpg.Connection, key_of: Callable[[str], str]) -> str:
        for _ in range(_ID_ATTEMPTS):
            candidate = short_id()
            if not await conn.fetchval(f"SELECT 1 FROM {self._schema}.events WHERE aggregate_id = $1 LIMIT 1",
                                       key_of(candidate)):
                return candidate
        raise RuntimeError("could not find a free id")

    async def _decide(self, conn: asyncpg.Connection, command: CommandEnvelope, payload) -> Decision:
        q = self._queries
        match payload:
            case CreateCluster(region=region, max_message_rate=rate):
                cluster_id = await self._new_id(conn, cluster_key)
                cluster = Cluster(cluster_id)
                events = cluster.create(region, rate, self._base_domain)
                return Decision(201, events=self._events(cluster_key(cluster_id), cluster, cluster_id, "cluster",
                                                         events, command),
                                body_from_state=lambda c: _data(q.cluster(c, cluster_id)))
            case SetClusterRate(cluster_id=cluster_id, max_message_rate=rate):
                cluster = await self._load(conn, cluster_key(cluster_id), Cluster(cluster_id))
                events = cluster.set_rate(rate)
                return Decision(200, events=self._events(cluster_key(cluster_id), cluster, cluster_id, "cluster",
                                                         events, command),
                                body_from_state=lambda c: _data(q.cluster(c, cluster_id)))
            case RegisterMta() as p:
                cluster = await self._load(conn, cluster_key(p.cluster_id), Cluster(p.cluster_id))
                mta_id = await self._new_id(conn, mta_key)
                mta = Mta(mta_id)
                events = mta.register(cluster, p.primary_ipv4, p.primary_ipv6, p.outbound_ips, p.token_digest,
                                      self._base_domain)
                return Decision(201, events=self._events(mta_key(mta_id), mta, p.cluster_id, "mta", events, command),
                                body_from_state=lambda c: _with_digest(q.mta(c, mta_id), p.token_digest))
            case RegisterUser(email=email):
                user = await self._load(conn, user_key(email), User(email))
                events = user.register(uuid7())
                return Decision(201, events=self._events(user_key(email), user, None, "user", events, command),
                                body_from_state=lambda c: _first(q.users(c, email)))
            case GrantClusterAccess(email=email, cluster_id=cluster_id):
                user = await self._load(conn, user_key(email), User(email))
                cluster = await self._load(conn, cluster_key(cluster_id), Cluster(cluster_id))
                events = user.grant(cluster)
                return Decision(200, events=self._events(user_key(email), user, cluster_id, "user", events, command),
                                body_from_state=lambda c: _first(q.users(c, email)))
            case IssueApiToken(email=email, token_digest=digest):
                user = await self._load(conn, user_key(email), User(email))
                events = user.issue_token(digest)
                return Decision(201, {"data": {"email": email, "token_digest": digest}},
                                events=self._events(user_key(email), user, None, "user", events, command))
            case RevokeApiToken(email=email):
                user = await self._load(conn, user_key(email), User(email))
                events = user.revoke_token()
                return Decision(204, events=self._events(user_key(email), user, None, "user", events, command))
        raise AssertionError(f"unhandled command {payload!r}")


async def _data(view_coroutine) -> dict:
    return {"data": await view_coroutine}


async def _with_digest(view_coroutine, digest: str) -> dict:
    """The digest lets the gateway tell the first answer (show the token) from a replay."""
    return {"data": {**msgspec.structs.asdict(await view_coroutine), "token_digest": digest}}


async def _first(views_coroutine) -> dict:
    return {"data": (await views_coroutine)[0]}
