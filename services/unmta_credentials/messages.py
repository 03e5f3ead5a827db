"""Credentials commands and events: they carry the password's argon2id hash, never the password."""

from __future__ import annotations

import msgspec

from .rules import Restrictions


class CreateCredential(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    user: str
    password_hash: str
    restrictions: Restrictions


class UpdateCredential(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """Only the fields the client sent; the rest are UNSET (PUT's merge happens in the decision)."""

    cluster_id: str
    user: str
    allow_all_domains: bool | msgspec.UnsetType = msgspec.UNSET
    domains: list[str] | msgspec.UnsetType = msgspec.UNSET
    allow_all_ips: bool | msgspec.UnsetType = msgspec.UNSET
    allowed_ips: list[str] | msgspec.UnsetType = msgspec.UNSET


class DeleteCredential(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    user: str


CredentialsCommand = CreateCredential | UpdateCredential | DeleteCredential
command_decoder = msgspec.json.Decoder(CredentialsCommand)


class CredentialCreated(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    user: str
    password_hash: str
    restrictions: Restrictions


class CredentialRestricted(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """The credential's restrictions, as they are now (whole, not a diff)."""

    cluster_id: str
    user: str
    restrictions: Restrictions


class CredentialDeleted(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    user: str


CredentialsEvent = CredentialCreated | CredentialRestricted | CredentialDeleted
event_decoder = msgspec.json.Decoder(CredentialsEvent)
