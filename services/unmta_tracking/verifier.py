"""CNAME verification: does the tracking domain point at the hostname we issued it?"""

from __future__ import annotations

from unmta_common.dns import LookupFailed, Resolver, normalise_name


async def cname_check(resolver: Resolver, name: str, expected: str) -> str | None:
    """None when verified; otherwise the reason, fit to show a customer."""
    try:
        target = await resolver.cname(name)
    except LookupFailed as exc:
        return exc.message
    if target is None:
        return "No CNAME record found."
    if target != normalise_name(expected):
        return f"CNAME points to {target}, expected {normalise_name(expected)}."
    return None
