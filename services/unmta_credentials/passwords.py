"""SMTP passwords: generated where they are returned, stored and shipped only as argon2id hashes.

Parameters are OWASP's minimum for argon2id (19 MiB, 2 iterations, 1 lane): an MTA verifies a
login with any standard argon2 verifier from the PHC string alone.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ALPHABET = string.ascii_letters + string.digits
LENGTH = 32  # ~190 bits

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


def new_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def hash_password(password: str) -> str:
    """~20-30 ms of CPU: call it in a worker thread, not on the event loop."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
