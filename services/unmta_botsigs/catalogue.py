"""The default catalogue shipped in data/defaults.jsonl (built by generate_catalogue.py)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import msgspec

from .matcher import Signature


class DefaultSignature(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    type: str
    pattern: str
    source: str
    label: str | None
    kind: str
    enabled: bool  # its state in a cluster that never toggled it


_decoder = msgspec.json.Decoder(DefaultSignature)


class Catalogue(msgspec.Struct, frozen=True):
    version: str  # sha256 of the data file: names this catalogue release
    signatures: list[DefaultSignature]

    def as_signatures(self, enabled_keys: frozenset[str] | set[str]) -> list[Signature]:
        return [Signature(ref=s.key, type=s.type, pattern=s.pattern, source=s.source, kind=s.kind)
                for s in self.signatures if s.key in enabled_keys]

    def default_enabled(self) -> frozenset[str]:
        return frozenset(s.key for s in self.signatures if s.enabled)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    raw = resources.files("unmta_botsigs").joinpath("data/defaults.jsonl").read_bytes()
    return Catalogue(hashlib.sha256(raw).hexdigest(), [_decoder.decode(line) for line in raw.splitlines() if line])
