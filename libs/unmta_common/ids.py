"""Identifiers: UUIDv7 for events and commands, short hex ids for resources."""

from __future__ import annotations

import os
import secrets
import time
import uuid


def uuid7() -> str:
    """RFC 9562 UUIDv7: time-ordered, so event ids sort by creation."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def short_id() -> str:
    """8 lowercase hex characters, the shape of cluster and MTA ids."""
    return secrets.token_hex(4)


_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1f4d8e-8a47-4c35-9d7e-1c1b3a0a7e52")


def command_id_for(actor: str, idempotency_key: str) -> str:
    """The same actor and key always name the same command, so a retry can't apply twice."""
    return str(uuid.uuid5(_IDEMPOTENCY_NAMESPACE, f"{actor}\x00{idempotency_key}"))
