"""The snapshot projection. Pure: a function of (state, event), no clock, no randomness, no I/O.

State is kept per cluster. A snapshot's version is the number of state-changing events its
cluster has seen: monotonic, never reset by a restart, and the same after a replay (a count does
not depend on how partitions interleave).
"""

from __future__ import annotations

import hashlib

import msgspec

from unmta_botsigs.artifacts import DefaultsArtifact, defaults_artifact
from unmta_botsigs.messages import CustomSignatureCreated, CustomSignatureDeleted, DefaultSignatureToggled
from unmta_botsigs.messages import event_decoder as botsigs_event_decoder
from unmta_common.envelope import EventEnvelope
from unmta_credentials.messages import CredentialCreated, CredentialDeleted, CredentialRestricted
from unmta_credentials.messages import event_decoder as credentials_event_decoder
from unmta_domains.messages import DomainCreated, DomainDeleted, DomainVerified
from unmta_domains.messages import event_decoder as domains_event_decoder
from unmta_fleet.messages import ClusterCreated, ClusterRateChanged, MtaRegistered
from unmta_fleet.messages import event_decoder as fleet_event_decoder
from unmta_fleet.ratelimit import parse_rate
from unmta_tracking.messages import (
    DefaultTrackingDomainChanged,
    TrackingDomainCreated,
    TrackingDomainDeleted,
    TrackingDomainVerified,
)
from unmta_tracking.messages import event_decoder as tracking_event_decoder


class OutboundIp(msgspec.Struct, frozen=True, kw_only=True):
    ipv4: str
    ipv6: str | None
    ptr: str | None


class MtaNode(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    hostname: str
    primary_ipv4: str
    primary_ipv6: str | None
    outbound_ips: list[OutboundIp]
    token_digest: str


class ClusterNode(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    hostname: str
    region: str
    max_message_rate: str | None


class DomainNode(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    selector: str
    algorithm: str
    public_key: str
    key_id: str
    # Sealed under a data key only the domains service's key store holds: fine to keep at rest.
    sealed_private_key: str
    verified: bool = False


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    """An SMTP login as the MTA checks it: an argon2id PHC hash and the restrictions."""

    user: str
    password_hash: str
    allow_all_domains: bool
    domains: list[str]
    allow_all_ips: bool
    allowed_ips: list[str]


class CustomBotSignature(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    type: str
    pattern: str
    kind: str
    label: str | None


class ClusterState(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    version: int = 0
    cluster: ClusterNode | None = None
    mtas: dict[str, MtaNode] = {}
    domains: dict[str, DomainNode] = {}
    credentials: dict[str, Credential] = {}
    # Tracking domains: name -> active; and the cluster's default (which may still be pending).
    tracking: dict[str, bool] = {}
    default_tracking: str | None = None
    bot_toggles: dict[str, bool] = {}
    bot_custom: dict[str, CustomBotSignature] = {}


class Throttle(msgspec.Struct, frozen=True, kw_only=True):
    limit: int
    period_seconds: int
    max_burst: int | None


class SnapshotCluster(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    hostname: str
    region: str
    max_message_rate: str | None
    # Pre-parsed for the MTA (KumoMTA throttle): the agent needn't re-implement the syntax.
    throttle: Throttle | None


class SnapshotMta(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    hostname: str
    primary_ipv4: str
    primary_ipv6: str | None
    outbound_ips: list[OutboundIp]


class SnapshotDomain(msgspec.Struct, frozen=True, kw_only=True):
    """A verified sending domain. Its private key is added at serve time, under `dkim_private_keys`."""

    name: str
    selector: str
    algorithm: str
    public_key: str
    key_id: str


class TrackingDomain(msgspec.Struct, frozen=True, kw_only=True):
    """An active tracking domain (pending ones are not sent to MTAs)."""

    name: str
    is_default: bool


class BotSignatures(msgspec.Struct, frozen=True, kw_only=True):
    """The cluster's enabled defaults by reference (a content-addressed compiled artifact, shared by
    every cluster with the same set: fetch GET /mta/v1/artifacts/{sha256}), and its custom ones inline."""

    defaults: DefaultsArtifact
    custom: list[CustomBotSignature]


class SnapshotContent(msgspec.Struct, frozen=True, kw_only=True):
    cluster: SnapshotCluster
    mta: SnapshotMta
    domains: list[SnapshotDomain]
    credentials: list[Credential]
    tracking_domains: list[TrackingDomain]
    bot_signatures: BotSignatures


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    content_hash: str
    cluster: SnapshotCluster
    mta: SnapshotMta
    domains: list[SnapshotDomain]
    credentials: list[Credential]
    tracking_domains: list[TrackingDomain]
    bot_signatures: BotSignatures


class RenderedSnapshot(msgspec.Struct, frozen=True):
    mta_id: str
    version: int
    etag: str
    body: bytes
    # key_id -> sealed private key, for the verified domains in `body`.
    sealed_keys: dict[str, str] = {}


state_encoder = msgspec.json.Encoder(order="sorted")
state_decoder = msgspec.json.Decoder(ClusterState)
_snapshot_encoder = msgspec.json.Encoder(order="deterministic")
# The hash covers the content with sorted keys, so any agent can recompute it from the JSON.
_content_encoder = msgspec.json.Encoder(order="sorted")
snapshot_decoder = msgspec.json.Decoder(Snapshot)


def apply(state: ClusterState, envelope: EventEnvelope) -> ClusterState:
    """Returns the next state; the same object when the event changes nothing here."""
    if envelope.aggregate_type in ("cluster", "mta"):
        changed = _apply_fleet(state, envelope)
    elif envelope.aggregate_type == "domain":
        changed = _apply_domains(state, envelope)
    elif envelope.aggregate_type == "credential":
        changed = _apply_credentials(state, envelope)
    elif envelope.aggregate_type == "tracking":
        changed = _apply_tracking(state, envelope)
    elif envelope.aggregate_type == "botsigs":
        changed = _apply_botsigs(state, envelope)
    else:
        changed = None
    if changed is None or changed == state:
        return state
    return msgspec.structs.replace(changed, version=state.version + 1)


def _apply_fleet(state: ClusterState, envelope: EventEnvelope) -> ClusterState | None:
    match fleet_event_decoder.decode(envelope.data):
        case ClusterCreated() as e:
            node = ClusterNode(id=e.cluster_id, hostname=e.hostname, region=e.region,
                               max_message_rate=e.max_message_rate)
            return msgspec.structs.replace(state, cluster=node)
        case ClusterRateChanged(max_message_rate=rate) if state.cluster is not None:
            return msgspec.structs.replace(state, cluster=msgspec.structs.replace(state.cluster,
                                                                                  max_message_rate=rate))
        case MtaRegistered() as e:
            node = MtaNode(id=e.mta_id, hostname=e.hostname, primary_ipv4=e.primary_ipv4,
                           primary_ipv6=e.primary_ipv6, token_digest=e.token_digest,
                           outbound_ips=[OutboundIp(ipv4=i.ipv4, ipv6=i.ipv6, ptr=i.ptr) for i in e.outbound_ips])
            return msgspec.structs.replace(state, mtas={**state.mtas, e.mta_id: node})
    return None


def _apply_domains(state: ClusterState, envelope: EventEnvelope) -> ClusterState | None:
    match domains_event_decoder.decode(envelope.data):
        case DomainCreated() as e:
            node = DomainNode(name=e.name, selector=e.selector, algorithm=e.algorithm, public_key=e.public_key,
                              key_id=e.key_id, sealed_private_key=e.sealed_private_key)
            return msgspec.structs.replace(state, domains={**state.domains, e.name: node})
        case DomainVerified(name=name) if name in state.domains:
            node = msgspec.structs.replace(state.domains[name], verified=True)
            return msgspec.structs.replace(state, domains={**state.domains, name: node})
        case DomainDeleted(name=name) if name in state.domains:
            return msgspec.structs.replace(state, domains={k: v for k, v in state.domains.items() if k != name})
    return None


def _apply_credentials(state: ClusterState, envelope: EventEnvelope) -> ClusterState | None:
    match credentials_event_decoder.decode(envelope.data):
        case CredentialCreated(user=user, password_hash=password_hash, restrictions=r):
            pass
        case CredentialRestricted(user=user, restrictions=r) if user in state.credentials:
            password_hash = state.credentials[user].password_hash
        case CredentialDeleted(user=user) if user in state.credentials:
            return msgspec.structs.replace(state, credentials={k: v for k, v in state.credentials.items()
                                                               if k != user})
        case _:
            return None
    node = Credential(user=user, password_hash=password_hash, allow_all_domains=r.allow_all_domains,
                      domains=r.domains, allow_all_ips=r.allow_all_ips, allowed_ips=r.allowed_ips)
    return msgspec.structs.replace(state, credentials={**state.credentials, user: node})


def _apply_tracking(state: ClusterState, envelope: EventEnvelope) -> ClusterState | None:
    replace = msgspec.structs.replace
    match tracking_event_decoder.decode(envelope.data):
        case TrackingDomainCreated(name=name):
            return replace(state, tracking={**state.tracking, name: False})
        case TrackingDomainVerified(name=name) if name in state.tracking:
            return replace(state, tracking={**state.tracking, name: True})
        case DefaultTrackingDomainChanged(name=name):
            return replace(state, default_tracking=name)
        case TrackingDomainDeleted(name=name) if name in state.tracking:
            default = None if state.default_tracking == name else state.default_tracking
            return replace(state, tracking={k: v for k, v in state.tracking.items() if k != name},
                           default_tracking=default)
    return None


def _apply_botsigs(state: ClusterState, envelope: EventEnvelope) -> ClusterState | None:
    replace = msgspec.structs.replace
    match botsigs_event_decoder.decode(envelope.data):
        case DefaultSignatureToggled(key=key, enabled=enabled):
            return replace(state, bot_toggles={**state.bot_toggles, key: enabled})
        case CustomSignatureCreated() as e:
            node = CustomBotSignature(id=e.id, type=e.type, pattern=e.pattern, kind=e.kind, label=e.label)
            return replace(state, bot_custom={**state.bot_custom, e.id: node})
        case CustomSignatureDeleted(id=id_) if id_ in state.bot_custom:
            return replace(state, bot_custom={k: v for k, v in state.bot_custom.items() if k != id_})
    return None


def _throttle(rate: str | None) -> Throttle | None:
    if rate is None:
        return None
    parsed = parse_rate(rate)
    return Throttle(limit=parsed.limit, period_seconds=parsed.period_seconds, max_burst=parsed.max_burst)


def render(state: ClusterState) -> list[RenderedSnapshot]:
    """One snapshot per MTA of the cluster; none until the cluster itself is known."""
    if state.cluster is None:
        return []
    c = state.cluster
    cluster = SnapshotCluster(id=c.id, hostname=c.hostname, region=c.region, max_message_rate=c.max_message_rate,
                              throttle=_throttle(c.max_message_rate))
    verified = [state.domains[name] for name in sorted(state.domains) if state.domains[name].verified]
    domains = [SnapshotDomain(name=d.name, selector=d.selector, algorithm=d.algorithm, public_key=d.public_key,
                              key_id=d.key_id) for d in verified]
    sealed_keys = {d.key_id: d.sealed_private_key for d in verified}
    credentials = [state.credentials[user] for user in sorted(state.credentials)]
    tracking = [TrackingDomain(name=name, is_default=name == state.default_tracking)
                for name in sorted(state.tracking) if state.tracking[name]]
    # Compiled once per distinct enabled set (memoised by content): a toggle here rebuilds this cluster only.
    bots = BotSignatures(defaults=defaults_artifact(state.bot_toggles),
                         custom=list(state.bot_custom.values()))
    rendered = []
    for mta_id in sorted(state.mtas):
        m = state.mtas[mta_id]
        mta = SnapshotMta(id=m.id, hostname=m.hostname, primary_ipv4=m.primary_ipv4, primary_ipv6=m.primary_ipv6,
                          outbound_ips=m.outbound_ips)
        content = SnapshotContent(cluster=cluster, mta=mta, domains=domains, credentials=credentials,
                                  tracking_domains=tracking, bot_signatures=bots)
        content_hash = hashlib.sha256(_content_encoder.encode(content)).hexdigest()
        body = _snapshot_encoder.encode(Snapshot(version=state.version, content_hash=content_hash, cluster=cluster,
                                                 mta=mta, domains=domains, credentials=credentials,
                                                 tracking_domains=tracking, bot_signatures=bots))
        rendered.append(RenderedSnapshot(mta_id, state.version, f'"{state.version}-{content_hash[:16]}"', body,
                                         sealed_keys))
    return rendered
