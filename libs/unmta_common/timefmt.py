"""ISO-8601 UTC timestamps in the contract's shape: 2025-01-15T10:30:00Z."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> str:
    return format_utc(datetime.now(timezone.utc))


def format_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
