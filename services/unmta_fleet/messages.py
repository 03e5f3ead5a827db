"""Fleet commands (what the gateway asks) and events (what happened), as tagged unions.

Events only grow: a new field gets a default, so old events still decode.
"""

from __future__ import annotations

import msgspec


class OutboundIp(msgspec.Struct, frozen=True, kw_only=True):
    ipv4: str
    ipv6: str | None = None
    ptr: str | None = None


# --- commands -------------------------------------------------------------------------------

class CreateCluster(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    region: str
    max_message_rate: str | None = None


class SetClusterRate(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    max_message_rate: str | None


class RegisterMta(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    primary_ipv4: str
    primary_ipv6: str | None = None
    outbound_ips: list[OutboundIp] = []
    token_digest: str


class RegisterUser(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    email: str


class GrantClusterAccess(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    email: str
    cluster_id: str


class IssueApiToken(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    email: str
    token_digest: str


class RevokeApiToken(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    email: str


FleetCommand = (CreateCluster | SetClusterRate | RegisterMta | RegisterUser | GrantClusterAccess | IssueApiToken
                | RevokeApiToken)
command_decoder = msgspec.json.Decoder(FleetCommand)


# --- events ---------------------------------------------------------------------------------

class ClusterCreated(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    hostname: str
    region: str
    status: str = "active"
    max_message_rate: str | None = None


class ClusterRateChanged(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    max_message_rate: str | None


class MtaRegistered(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    mta_id: str
    cluster_id: str
    hostname: str
    primary_ipv4: str
    primary_ipv6: str | None = None
    outbound_ips: list[OutboundIp] = []
    # SHA-256 of the MTA's pull token; the token itself exists only in the create response.
    token_digest: str


class UserRegistered(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    user_id: str
    email: str


class ClusterAccessGranted(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    user_id: str
    cluster_id: str


class ApiTokenIssued(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """Issuing revokes the user's previous token in the same event: one active token per user."""

    user_id: str
    token_digest: str


class ApiTokenRevoked(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    user_id: str


FleetEvent = (ClusterCreated | ClusterRateChanged | MtaRegistered | UserRegistered | ClusterAccessGranted
              | ApiTokenIssued | ApiTokenRevoked)
event_decoder = msgspec.json.Decoder(FleetEvent)
