"""Compiled default-signature artifacts, content-addressed.

A cluster's enabled defaults (the catalogue's defaults adjusted by its toggles) compile into one
artifact named by the sha256 of its bytes. Clusters with the same set share it, and each distinct
set is compiled once per process (memoised) and stored once (by hash).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import lru_cache

import msgspec

from .catalogue import load_catalogue
from .matcher import artifact_encoder, compile_artifact


class DefaultsArtifact(msgspec.Struct, frozen=True, kw_only=True):
    sha256: str
    catalogue: str  # the catalogue release it was compiled from
    signatures: int


@lru_cache(maxsize=1)
def _catalogue_defaults() -> dict[str, bool]:
    return {s.key: s.enabled for s in load_catalogue().signatures}


def _canonical(toggles: Mapping[str, bool]) -> frozenset[tuple[str, bool]]:
    """Toggles that differ from the catalogue's own default: equal sets give equal keys."""
    defaults = _catalogue_defaults()
    return frozenset((k, v) for k, v in toggles.items() if k in defaults and defaults[k] != v)


@lru_cache(maxsize=256)
def _compiled(changes: frozenset[tuple[str, bool]]) -> tuple[DefaultsArtifact, bytes]:
    catalogue = load_catalogue()
    enabled = set(catalogue.default_enabled())
    for key, on in changes:
        (enabled.add if on else enabled.discard)(key)
    body = artifact_encoder.encode(compile_artifact(catalogue.as_signatures(enabled)))
    meta = DefaultsArtifact(sha256=hashlib.sha256(body).hexdigest(), catalogue=catalogue.version[:16],
                            signatures=len(enabled))
    return meta, body


def defaults_artifact(toggles: Mapping[str, bool]) -> DefaultsArtifact:
    return _compiled(_canonical(toggles))[0]


def artifact_body(toggles: Mapping[str, bool]) -> bytes:
    return _compiled(_canonical(toggles))[1]


def compilations() -> int:
    """How many distinct sets this process compiled (for tests and benchmarks)."""
    return _compiled.cache_info().misses
