"""DKIM verification: is the issued key published at unmta._domainkey.<domain>?

Checked on demand (POST .../verify) and, for pending domains, in the background on a backoff
schedule. Any DNS failure is a readable error, never an exception to the caller.
"""

from __future__ import annotations

from unmta_common.dns import LookupFailed, Resolver

from .dkim import check_dkim_record, dkim_record_name


async def dkim_check(resolver: Resolver, domain: str, public_key: str) -> str | None:
    """None when verified; otherwise the reason, fit to show a customer."""
    try:
        records = await resolver.txt(dkim_record_name(domain))
    except LookupFailed as exc:
        if exc.kind in ("nxdomain", "nodata"):
            return f"No DKIM TXT record found at {dkim_record_name(domain)}."
        return exc.message
    return check_dkim_record(records, public_key)
