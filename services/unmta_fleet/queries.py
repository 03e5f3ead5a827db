"""Read access to fleet state, in the API's shapes. The gateway serves reads through these."""

from __future__ import annotations

import asyncpg
import msgspec

from .messages import OutboundIp


class ClusterView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    hostname: str
    region: str
    status: str
    max_message_rate: str | None
    created_at: str
    updated_at: str


class OutboundIpView(msgspec.Struct, frozen=True, kw_only=True):
    ipv4: str
    ipv6: str | None
    ptr: str | None


class MtaView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    hostname: str
    primary_ipv4: str
    primary_ipv6: str | None
    outbound_ips: list[OutboundIpView]
    created_at: str
    updated_at: str


class AdminMtaView(MtaView, frozen=True, kw_only=True):
    cluster_id: str


class UserView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    email: str
    clusters: list[str]
    has_api_token: bool
    created_at: str


_outbound_decoder = msgspec.json.Decoder(list[OutboundIp])
_CLUSTER_COLUMNS = "c.id, c.hostname, c.region, c.status, c.max_message_rate, c.created_at, c.updated_at"
_MTA_COLUMNS = ("m.id, m.cluster_id, m.hostname, m.primary_ipv4, m.primary_ipv6, m.outbound_ips,"
                " m.created_at, m.updated_at")


def _cluster(row: asyncpg.Record) -> ClusterView:
    return ClusterView(**dict(row))


def _mta(row: asyncpg.Record, view: type[MtaView] = MtaView) -> MtaView:
    fields = dict(row)
    fields["outbound_ips"] = [OutboundIpView(ipv4=ip.ipv4, ipv6=ip.ipv6, ptr=ip.ptr)
                              for ip in _outbound_decoder.decode(fields["outbound_ips"])]
    if view is MtaView:
        fields.pop("cluster_id")
    return view(**fields)


class FleetQueries:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def user_for_token(self, db: asyncpg.Pool | asyncpg.Connection, digest: str) -> str | None:
        return await db.fetchval(f"SELECT user_id FROM {self.schema}.api_tokens WHERE token_digest = $1", digest)

    async def clusters_for_user(self, db, user_id: str) -> list[ClusterView]:
        rows = await db.fetch(
            f"SELECT {_CLUSTER_COLUMNS} FROM {self.schema}.clusters c JOIN {self.schema}.grants g"
            " ON g.cluster_id = c.id WHERE g.user_id = $1 ORDER BY c.created_at, c.id", user_id)
        return [_cluster(r) for r in rows]

    async def user_can_see(self, db, user_id: str, cluster_id: str) -> bool:
        return bool(await db.fetchval(
            f"SELECT 1 FROM {self.schema}.grants WHERE user_id = $1 AND cluster_id = $2", user_id, cluster_id))

    async def mtas_of_cluster(self, db, cluster_id: str) -> list[MtaView]:
        rows = await db.fetch(f"SELECT {_MTA_COLUMNS} FROM {self.schema}.mtas m WHERE m.cluster_id = $1"
                              " ORDER BY m.created_at, m.id", cluster_id)
        return [_mta(r) for r in rows]

    async def all_clusters(self, db) -> list[ClusterView]:
        rows = await db.fetch(f"SELECT {_CLUSTER_COLUMNS} FROM {self.schema}.clusters c ORDER BY c.created_at, c.id")
        return [_cluster(r) for r in rows]

    async def cluster(self, db, cluster_id: str) -> ClusterView | None:
        row = await db.fetchrow(f"SELECT {_CLUSTER_COLUMNS} FROM {self.schema}.clusters c WHERE c.id = $1",
                                cluster_id)
        return _cluster(row) if row else None

    async def all_mtas(self, db) -> list[AdminMtaView]:
        rows = await db.fetch(f"SELECT {_MTA_COLUMNS} FROM {self.schema}.mtas m ORDER BY m.created_at, m.id")
        return [_mta(r, AdminMtaView) for r in rows]

    async def mta(self, db, mta_id: str) -> AdminMtaView | None:
        row = await db.fetchrow(f"SELECT {_MTA_COLUMNS} FROM {self.schema}.mtas m WHERE m.id = $1", mta_id)
        return _mta(row, AdminMtaView) if row else None

    async def users(self, db, email: str | None = None) -> list[UserView]:
        rows = await db.fetch(
            f"SELECT u.id, u.email, u.created_at, t.user_id IS NOT NULL AS has_api_token,"
            f" coalesce(array_agg(g.cluster_id ORDER BY g.cluster_id) FILTER (WHERE g.cluster_id IS NOT NULL),"
            f" '{{}}') AS clusters"
            f" FROM {self.schema}.users u LEFT JOIN {self.schema}.api_tokens t ON t.user_id = u.id"
            f" LEFT JOIN {self.schema}.grants g ON g.user_id = u.id"
            f" WHERE $1::text IS NULL OR u.email = $1"
            f" GROUP BY u.id, u.email, u.created_at, t.user_id ORDER BY u.created_at, u.email", email)
        return [UserView(id=r["id"], email=r["email"], clusters=list(r["clusters"]),
                         has_api_token=r["has_api_token"], created_at=r["created_at"]) for r in rows]
