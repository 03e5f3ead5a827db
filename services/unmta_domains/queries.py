"""Read access to domains, in the contract's shapes."""

from __future__ import annotations

import msgspec

from .dkim import dns_records


class DnsRecord(msgspec.Struct, frozen=True):
    type: str
    name: str
    value: str


class DnsRecords(msgspec.Struct, frozen=True):
    dkim: DnsRecord
    dmarc: DnsRecord


class DomainView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    status: str
    dkim_public_key: str
    created_at: str
    updated_at: str


class DomainDetailView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    status: str
    dkim_public_key: str
    dns_records: DnsRecords
    created_at: str
    updated_at: str


class Verification(msgspec.Struct, frozen=True, kw_only=True):
    verified: bool
    error: str | None


class DomainVerification(msgspec.Struct, frozen=True, kw_only=True):
    data: DomainDetailView
    verification: Verification


_COLUMNS = "name, status, public_key, created_at, updated_at"


def _records(public_key: str) -> DnsRecords:
    records = dns_records(public_key)
    return DnsRecords(dkim=DnsRecord(**records["dkim"]), dmarc=DnsRecord(**records["dmarc"]))


class DomainsQueries:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def list(self, db, cluster_id: str) -> list[DomainView]:
        rows = await db.fetch(f"SELECT {_COLUMNS} FROM {self.schema}.domains WHERE cluster_id = $1"
                              " ORDER BY created_at, name", cluster_id)
        return [DomainView(name=r["name"], status=r["status"], dkim_public_key=r["public_key"],
                           created_at=r["created_at"], updated_at=r["updated_at"]) for r in rows]

    async def get(self, db, cluster_id: str, name: str) -> DomainDetailView | None:
        r = await db.fetchrow(f"SELECT {_COLUMNS} FROM {self.schema}.domains WHERE cluster_id = $1 AND name = $2",
                              cluster_id, name)
        if r is None:
            return None
        return DomainDetailView(name=r["name"], status=r["status"], dkim_public_key=r["public_key"],
                                dns_records=_records(r["public_key"]), created_at=r["created_at"],
                                updated_at=r["updated_at"])
