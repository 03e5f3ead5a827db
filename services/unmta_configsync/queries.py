"""Fleet convergence: the latest snapshot of each MTA next to the one its agent applied."""

from __future__ import annotations

import msgspec

from . import store
from .store import ConfigsyncNames


class MtaConvergence(msgspec.Struct, frozen=True, kw_only=True):
    mta_id: str
    cluster_id: str
    latest_version: int
    latest_etag: str
    applied_version: int | None
    applied_etag: str | None
    status: str | None
    error: str | None
    reported_at: str | None
    converged: bool


async def fleet_status(db, names: ConfigsyncNames) -> list[MtaConvergence]:
    schema = await store.active_schema(db, names)
    rows = await db.fetch(
        f"SELECT s.mta_id, s.cluster_id, s.version, s.etag, st.applied_version, st.applied_etag, st.status,"
        f" st.error, to_char(st.reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS reported_at"
        f" FROM {schema}.snapshots s LEFT JOIN {names.control}.mta_status st ON st.mta_id = s.mta_id"
        f" ORDER BY s.cluster_id, s.mta_id")
    return [MtaConvergence(mta_id=r["mta_id"], cluster_id=r["cluster_id"], latest_version=r["version"],
                           latest_etag=r["etag"], applied_version=r["applied_version"],
                           applied_etag=r["applied_etag"], status=r["status"], error=r["error"],
                           reported_at=r["reported_at"], converged=r["applied_etag"] == r["etag"])
            for r in rows]
