"""Domains commands and events. Events never carry a private key in plaintext, nor its data key."""

from __future__ import annotations

import msgspec


class CreateDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


class DeleteDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


class VerifyDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """Check DNS now (the API's POST .../verify)."""

    cluster_id: str
    name: str


class RecordVerification(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """A background re-check's result."""

    cluster_id: str
    name: str
    error: str | None


DomainsCommand = CreateDomain | DeleteDomain | VerifyDomain | RecordVerification
command_decoder = msgspec.json.Decoder(DomainsCommand)


class DomainCreated(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str
    selector: str
    algorithm: str
    public_key: str
    # The private key, sealed (AES-256-GCM) under data key `key_id`, which lives only in the key store.
    key_id: str
    sealed_private_key: str


class DomainVerified(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


class DomainDeleted(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str
    key_id: str


DomainsEvent = DomainCreated | DomainVerified | DomainDeleted
event_decoder = msgspec.json.Decoder(DomainsEvent)
