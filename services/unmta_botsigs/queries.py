"""Read access to defaults (filtered and paged in SQL) and custom signatures."""

from __future__ import annotations

import msgspec


class DefaultView(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    type: str
    pattern: str
    source: str
    label: str | None
    enabled: bool


class PageMeta(msgspec.Struct, frozen=True, kw_only=True):
    current_page: int
    per_page: int
    total: int


class DefaultsPage(msgspec.Struct, frozen=True, kw_only=True):
    data: list[DefaultView]
    meta: PageMeta


class CustomView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    type: str
    pattern: str
    source: str
    kind: str
    label: str | None
    created_at: str
    updated_at: str


def _like(term: str) -> str:
    return "%" + term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_DEFAULT_COLUMNS = ("d.key, d.type, d.pattern, d.source, d.label, coalesce(t.enabled, d.enabled_default) AS enabled")
_CUSTOM_COLUMNS = "id::text AS id, type, pattern, 'custom' AS source, kind, label, created_at, updated_at"


class BotsigsQueries:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    def _from(self) -> str:
        return (f"FROM {self.schema}.defaults d LEFT JOIN {self.schema}.toggles t"
                " ON t.cluster_id = $1 AND t.key = d.key"
                " WHERE ($2::text IS NULL OR d.source = $2) AND ($3::text IS NULL OR d.search LIKE $3)"
                " AND ($4::boolean IS NULL OR coalesce(t.enabled, d.enabled_default) = $4)")

    async def defaults(self, db, cluster_id: str, *, source: str | None, q: str | None, enabled: bool | None,
                       page: int, per_page: int) -> DefaultsPage:
        args = (cluster_id, source, _like(q) if q else None, enabled)
        total = await db.fetchval(f"SELECT count(*) {self._from()}", *args)
        rows = await db.fetch(f"SELECT {_DEFAULT_COLUMNS} {self._from()} ORDER BY d.position LIMIT $5 OFFSET $6",
                              *args, per_page, (page - 1) * per_page)
        return DefaultsPage(data=[DefaultView(**dict(r)) for r in rows],
                            meta=PageMeta(current_page=page, per_page=per_page, total=total))

    async def default(self, db, cluster_id: str, key: str) -> DefaultView | None:
        row = await db.fetchrow(f"SELECT {_DEFAULT_COLUMNS} FROM {self.schema}.defaults d LEFT JOIN"
                                f" {self.schema}.toggles t ON t.cluster_id = $1 AND t.key = d.key WHERE d.key = $2",
                                cluster_id, key)
        return DefaultView(**dict(row)) if row else None

    async def customs(self, db, cluster_id: str) -> list[CustomView]:
        rows = await db.fetch(f"SELECT {_CUSTOM_COLUMNS} FROM {self.schema}.custom_signatures WHERE cluster_id = $1"
                              " ORDER BY seq", cluster_id)
        return [CustomView(**dict(r)) for r in rows]

    async def custom(self, db, cluster_id: str, id_: str) -> CustomView | None:
        row = await db.fetchrow(f"SELECT {_CUSTOM_COLUMNS} FROM {self.schema}.custom_signatures"
                                " WHERE cluster_id = $1 AND id = $2", cluster_id, id_)
        return CustomView(**dict(row)) if row else None
