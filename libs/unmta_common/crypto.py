"""Envelope encryption: AES-256-GCM data keys, each wrapped by one master key.

A secret is sealed under its own data key; the data key is stored only wrapped, apart from the
sealed secret. Destroying the wrapped data key makes every copy of the sealed secret (events in
Kafka included) unreadable: crypto-shredding.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import UnmtaError

_NONCE = 12


class CryptoError(UnmtaError):
    """A key or ciphertext is missing, malformed or does not authenticate."""


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], aad)
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("ciphertext does not authenticate") from exc


class MasterKey:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise CryptoError("the master key must be 32 bytes (AES-256)")
        self._key = key

    @classmethod
    def from_file(cls, path: Path) -> MasterKey:
        try:
            raw = path.read_bytes().strip()
        except OSError as exc:
            raise CryptoError(f"cannot read the master key file {path}: {exc.strerror}") from exc
        try:
            return cls(base64.b64decode(raw, validate=True))
        except ValueError as exc:
            raise CryptoError(f"{path} must hold 32 random bytes, base64-encoded") from exc

    @classmethod
    def load_or_create(cls, path: Path) -> MasterKey:
        """For local use: creates a key file (mode 0600) on first use."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64encode(os.urandom(32)) + b"\n")
        return cls.from_file(path)

    def new_data_key(self, key_id: str) -> tuple[bytes, bytes]:
        """A fresh data key and its wrapped form (the only form that is ever stored)."""
        data_key = AESGCM.generate_key(bit_length=256)
        return data_key, _seal(self._key, data_key, key_id.encode())

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        return _open(self._key, wrapped, key_id.encode())


def seal(data_key: bytes, key_id: str, plaintext: bytes) -> bytes:
    return _seal(data_key, plaintext, key_id.encode())


def unseal(data_key: bytes, key_id: str, sealed: bytes) -> bytes:
    return _open(data_key, sealed, key_id.encode())
