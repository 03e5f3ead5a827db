"""Bot-signature matching, as MTAs run it.

`compile_artifact(signatures)` turns signatures into a compact, JSON-serialisable artifact;
`Matcher.load(artifact)` builds the lookup structures once; `classify(user_agent, ip)` answers in
microseconds. Order: user_agent, then ip_exact, then ip_cidr; the first hit wins. User agents match
case-insensitively as substrings (or, for patterns starting with "^", as prefixes); among several
user-agent hits the earliest signature wins. IPv4-mapped IPv6 addresses count as IPv4. Among CIDR
blocks the most specific wins (blocks are split at compile time into non-overlapping segments).
"""

from __future__ import annotations

import socket
from bisect import bisect_right
from functools import lru_cache

import ahocorasick
import msgspec


class Signature(msgspec.Struct, frozen=True, kw_only=True):
    ref: str  # a default's key, or a custom signature's id
    type: str  # user_agent | ip_exact | ip_cidr
    pattern: str
    source: str
    kind: str


class Match(msgspec.Struct, frozen=True):
    ref: str
    source: str
    kind: str


class Artifact(msgspec.Struct, frozen=True, kw_only=True):
    """Compiled signatures: what a snapshot references and an MTA loads."""

    refs: list[tuple[str, str, str]]  # index -> (ref, source, kind)
    ua_contains: list[tuple[str, int]]
    ua_prefix: list[tuple[str, int]]
    exact: list[tuple[str, int]]  # (canonical address, index)
    v4: list[tuple[int, int, int, int]]  # segments: (start, end, index, prefix length)
    v6: list[tuple[str, str, int, int]]  # 128-bit bounds as hex: JSON readers needn't handle big ints


artifact_encoder = msgspec.json.Encoder(order="deterministic")
artifact_decoder = msgspec.json.Decoder(Artifact)


def _address_int(text: str) -> tuple[int, int] | None:
    """(version, integer) of an address, IPv4-mapped IPv6 folded into IPv4; None when invalid."""
    try:
        if ":" not in text:
            return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
        value = int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
    except OSError:
        return None
    if value >> 32 == 0xFFFF:
        return 4, value & 0xFFFFFFFF
    return 6, value


def _segments(blocks: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Non-overlapping (start, end, index, prefix) segments of CIDR blocks; the innermost (most
    specific) block owns each address. CIDR blocks nest or are disjoint, so a stack suffices."""
    ordered = sorted(blocks, key=lambda b: (b[0], -b[1], -b[2]))  # equal blocks: the earliest index innermost
    out: list[tuple[int, int, int, int]] = []

    def emit(start: int, end: int, owner: tuple[int, int, int, int]) -> None:
        if start > end:
            return
        if out and out[-1][2] == owner[2] and out[-1][1] + 1 == start:
            out[-1] = (out[-1][0], end, owner[2], owner[3])
        else:
            out.append((start, end, owner[2], owner[3]))

    stack: list[tuple[int, int, int, int]] = []
    cursor = 0
    for block in ordered:
        start = block[0]
        while stack and stack[-1][1] < start:
            top = stack.pop()
            emit(cursor, top[1], top)
            cursor = top[1] + 1
        if stack:
            emit(cursor, start - 1, stack[-1])
        stack.append(block)
        cursor = start
    while stack:
        top = stack.pop()
        emit(cursor, top[1], top)
        cursor = top[1] + 1
    return out


def _block(cidr: str, index: int) -> tuple[int, int, int, int, int] | None:
    """(version, first, last, index, prefix) of a CIDR block; inet_pton is ~10x faster than ipaddress."""
    address, _, prefix = cidr.partition("/")
    parsed = _address_int(address)
    if parsed is None or not prefix.isdigit():
        return None
    version, value = parsed
    bits = 32 if version == 4 else 128
    length = int(prefix) - (96 if version == 4 and ":" in address else 0)
    if not 0 <= length <= bits:
        return None
    host = (1 << (bits - length)) - 1
    return version, value & ~host, (value & ~host) | host, index, length


def compile_artifact(signatures: list[Signature]) -> Artifact:
    refs, ua_contains, ua_prefix, exact, v4_blocks, v6_blocks = [], [], [], [], [], []
    for index, sig in enumerate(signatures):
        refs.append((sig.ref, sig.source, sig.kind))
        if sig.type == "user_agent":
            pattern = sig.pattern.lower()
            if pattern.startswith("^") and len(pattern) > 1:
                ua_prefix.append((pattern[1:], index))
            elif pattern:
                ua_contains.append((pattern, index))
        elif sig.type == "ip_exact":
            parsed = _address_int(sig.pattern)
            if parsed:
                exact.append((f"{parsed[0]}:{parsed[1]:x}", index))
        elif sig.type == "ip_cidr":
            block = _block(sig.pattern, index)
            if block is not None:
                (v4_blocks if block[0] == 4 else v6_blocks).append(block[1:])
    v6 = [(f"{s:x}", f"{e:x}", i, p) for s, e, i, p in _segments(v6_blocks)]
    return Artifact(refs=refs, ua_contains=ua_contains, ua_prefix=ua_prefix, exact=exact, v4=_segments(v4_blocks),
                    v6=v6)


class Matcher:
    def __init__(self, artifact: Artifact, cache_size: int = 8192) -> None:
        self._refs = [Match(*r) for r in artifact.refs]
        self._automaton = ahocorasick.Automaton()
        for pattern, index in artifact.ua_contains:
            existing = self._automaton.get(pattern, None)
            self._automaton.add_word(pattern, index if existing is None else min(existing, index))
        self._has_ua = len(artifact.ua_contains) > 0
        if self._has_ua:
            self._automaton.make_automaton()
        self._prefixes: dict[int, dict[str, int]] = {}
        for pattern, index in artifact.ua_prefix:
            by_length = self._prefixes.setdefault(len(pattern), {})
            by_length[pattern] = min(by_length.get(pattern, index), index)
        self._exact = {key: index for key, index in reversed(artifact.exact)}
        self._v4 = ([s for s, _, _, _ in artifact.v4], [(e, i, p) for _, e, i, p in artifact.v4])
        self._v6 = ([int(s, 16) for s, _, _, _ in artifact.v6], [(int(e, 16), i, p) for _, e, i, p in artifact.v6])
        self.classify_user_agent = lru_cache(maxsize=cache_size)(self._classify_user_agent)

    @classmethod
    def load(cls, raw: bytes) -> Matcher:
        return cls(artifact_decoder.decode(raw))

    def _classify_user_agent(self, user_agent: str) -> int | None:
        ua = user_agent.lower()
        best = None
        if self._has_ua:
            for _, index in self._automaton.iter(ua):
                if best is None or index < best:
                    best = index
        for length, table in self._prefixes.items():
            index = table.get(ua[:length])
            if index is not None and (best is None or index < best):
                best = index
        return best

    def user_agent_hit(self, user_agent: str | None) -> int | None:
        return self.classify_user_agent(user_agent) if user_agent else None

    def exact_hit(self, address: tuple[int, int]) -> int | None:
        return self._exact.get(f"{address[0]}:{address[1]:x}")

    def cidr_hit(self, address: tuple[int, int]) -> tuple[int, int] | None:
        """(index, prefix length) of the most specific block holding the address."""
        starts, rest = self._v4 if address[0] == 4 else self._v6
        at = bisect_right(starts, address[1]) - 1
        if at >= 0 and address[1] <= rest[at][0]:
            return rest[at][1], rest[at][2]
        return None

    def classify(self, user_agent: str | None, ip: str | None) -> Match | None:
        return classify((self,), user_agent, ip)

    def ref(self, index: int) -> Match:
        return self._refs[index]


def classify(matchers: tuple[Matcher, ...], user_agent: str | None, ip: str | None) -> Match | None:
    """Classifies against several matchers (a cluster's custom signatures first, then its defaults)."""
    for matcher in matchers:
        index = matcher.user_agent_hit(user_agent)
        if index is not None:
            return matcher.ref(index)
    address = _address_int(ip) if ip else None
    if address is None:
        return None
    for matcher in matchers:
        index = matcher.exact_hit(address)
        if index is not None:
            return matcher.ref(index)
    best: tuple[Matcher, int, int] | None = None
    for matcher in matchers:
        hit = matcher.cidr_hit(address)
        if hit is not None and (best is None or hit[1] > best[2]):
            best = (matcher, hit[0], hit[1])
    return best[0].ref(best[1]) if best else None
