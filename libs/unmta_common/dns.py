"""DNS look-ups for verification (aiodns), with readable errors instead of resolver codes.

Nameservers come from configuration (`host:port` allowed), so tests use a real server on a
loopback port. CNAMEs are followed here, since a stub resolver pointed at an authoritative server
gets the CNAME back rather than the final answer.
"""

from __future__ import annotations

import aiodns
from aiodns.error import DNSError

from .errors import UnmtaError

MAX_CNAME_HOPS = 8
_TXT, _CNAME = 16, 5


class LookupFailed(UnmtaError):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # nxdomain | nodata | timeout | servfail | refused | error
        self.message = message


_KINDS = {
    aiodns.error.ARES_ENOTFOUND: ("nxdomain", "No DNS record found for {name} (NXDOMAIN)."),
    aiodns.error.ARES_ENODATA: ("nodata", "No {rtype} record found for {name}."),
    aiodns.error.ARES_ETIMEOUT: ("timeout", "DNS lookup for {name} timed out."),
    aiodns.error.ARES_ESERVFAIL: ("servfail", "DNS server failed to answer for {name} (SERVFAIL)."),
    aiodns.error.ARES_EREFUSED: ("refused", "DNS server refused the query for {name}."),
    aiodns.error.ARES_ECONNREFUSED: ("timeout", "Could not reach the DNS server for {name}."),
}


def normalise_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


class Resolver:
    def __init__(self, nameservers: list[str] | None, timeout_s: float = 3.0, tries: int = 2) -> None:
        self._nameservers = nameservers or None
        self._timeout_s = timeout_s
        self._tries = tries
        self._resolver: aiodns.DNSResolver | None = None

    def _client(self) -> aiodns.DNSResolver:
        if self._resolver is None:
            self._resolver = aiodns.DNSResolver(nameservers=self._nameservers, timeout=self._timeout_s,
                                                tries=self._tries)
        return self._resolver

    async def close(self) -> None:
        if self._resolver is not None:
            await self._resolver.close()
            self._resolver = None

    async def _query(self, name: str, rtype: str):
        try:
            return await self._client().query_dns(name, rtype)
        except DNSError as exc:
            code = exc.args[0] if exc.args else None
            kind, text = _KINDS.get(code, ("error", "DNS lookup for {name} failed ({detail})."))
            detail = exc.args[1] if len(exc.args) > 1 else code
            raise LookupFailed(kind, text.format(name=name, rtype=rtype, detail=detail)) from exc

    async def txt(self, name: str) -> list[str]:
        """The TXT strings at `name` (a record's strings concatenated), following CNAMEs."""
        current = normalise_name(name)
        for _ in range(MAX_CNAME_HOPS):
            result = await self._query(current, "TXT")
            texts = [r.data.data.decode("utf-8", "replace") for r in result.answer if r.type == _TXT]
            if texts:
                return texts
            targets = [normalise_name(r.data.cname) for r in result.answer if r.type == _CNAME]
            if not targets:
                raise LookupFailed("nodata", f"No TXT record found for {name}.")
            current = targets[-1]
        raise LookupFailed("error", f"Too many CNAME hops resolving {name}.")

    async def cname(self, name: str) -> str | None:
        """The CNAME target of `name` (normalised), or None when it has none."""
        try:
            result = await self._query(normalise_name(name), "CNAME")
        except LookupFailed as exc:
            if exc.kind in ("nxdomain", "nodata"):
                return None
            raise
        targets = [normalise_name(r.data.cname) for r in result.answer if r.type == _CNAME]
        return targets[0] if targets else None
