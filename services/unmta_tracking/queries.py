"""Read access to tracking domains, in the contract's shapes."""

from __future__ import annotations

import msgspec


class CnameRecord(msgspec.Struct, frozen=True):
    type: str
    name: str
    value: str


class TrackingDnsRecords(msgspec.Struct, frozen=True):
    cname: CnameRecord


class TrackingDomainView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    status: str
    is_default: bool
    verification_hostname: str
    verified_at: str | None
    created_at: str
    updated_at: str


class TrackingDomainDetailView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    status: str
    is_default: bool
    verification_hostname: str
    verified_at: str | None
    dns_records: TrackingDnsRecords
    created_at: str
    updated_at: str


class TrackingVerification(msgspec.Struct, frozen=True, kw_only=True):
    verified: bool
    error: str | None


class TrackingDomainVerification(msgspec.Struct, frozen=True, kw_only=True):
    data: TrackingDomainDetailView
    verification: TrackingVerification


_COLUMNS = "name, status, is_default, verification_hostname, verified_at, created_at, updated_at"


class TrackingQueries:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def list(self, db, cluster_id: str) -> list[TrackingDomainView]:
        rows = await db.fetch(f"SELECT {_COLUMNS} FROM {self.schema}.tracking_domains WHERE cluster_id = $1"
                              " ORDER BY created_at, name", cluster_id)
        return [TrackingDomainView(**dict(r)) for r in rows]

    async def get(self, db, cluster_id: str, name: str) -> TrackingDomainView | None:
        row = await db.fetchrow(f"SELECT {_COLUMNS} FROM {self.schema}.tracking_domains"
                                " WHERE cluster_id = $1 AND name = $2", cluster_id, name)
        return TrackingDomainView(**dict(row)) if row else None

    async def detail(self, db, cluster_id: str, name: str) -> TrackingDomainDetailView | None:
        view = await self.get(db, cluster_id, name)
        if view is None:
            return None
        record = CnameRecord(type="CNAME", name=view.name, value=view.verification_hostname)
        return TrackingDomainDetailView(**msgspec.structs.asdict(view), dns_records=TrackingDnsRecords(cname=record))

    async def hostname_taken(self, db, hostname: str) -> bool:
        return bool(await db.fetchval(f"SELECT 1 FROM {self.schema}.tracking_domains"
                                      " WHERE verification_hostname = $1", hostname))
