"""Read access to credentials, in the contract's shape (no password, no hash)."""

from __future__ import annotations

import msgspec

from .rules import Restrictions

_restrictions = msgspec.json.Decoder(Restrictions)


class CredentialView(msgspec.Struct, frozen=True, kw_only=True):
    user: str
    allow_all_domains: bool
    domains: list[str]
    allow_all_ips: bool
    allowed_ips: list[str]
    created_at: str
    updated_at: str


class CredentialCreatedView(msgspec.Struct, frozen=True, kw_only=True):
    data: CredentialView
    password: str


def _view(row) -> CredentialView:
    r = _restrictions.decode(row["restrictions"])
    return CredentialView(user=row["user"], allow_all_domains=r.allow_all_domains, domains=r.domains,
                          allow_all_ips=r.allow_all_ips, allowed_ips=r.allowed_ips, created_at=row["created_at"],
                          updated_at=row["updated_at"])


class CredentialsQueries:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def list(self, db, cluster_id: str) -> list[CredentialView]:
        rows = await db.fetch(f'SELECT "user", restrictions, created_at, updated_at FROM {self.schema}.credentials'
                              f' WHERE cluster_id = $1 ORDER BY created_at, "user"', cluster_id)
        return [_view(r) for r in rows]

    async def get(self, db, cluster_id: str, user: str) -> CredentialView | None:
        row = await db.fetchrow(f'SELECT "user", restrictions, created_at, updated_at FROM {self.schema}.credentials'
                                f' WHERE cluster_id = $1 AND "user" = $2', cluster_id, user)
        return _view(row) if row else None
