"""Command and event envelopes, as in the architecture brief.

Payloads stay `msgspec.Raw` here: each service decodes them once, at its boundary, into its own
tagged union. Envelopes never forbid unknown fields, so older readers accept newer writers.
"""

from __future__ import annotations

import msgspec


class EventEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    cluster_id: str | None
    occurred_at: str
    causation_id: str
    correlation_id: str
    actor: str
    data: msgspec.Raw


class CommandEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    command_id: str
    type: str
    cluster_id: str | None
    # Kafka key: the cluster for cluster-scoped commands, else the aggregate's own id.
    partition_key: str
    issued_at: str
    correlation_id: str
    actor: str
    # sha256 of the request (method, path, body): a reused Idempotency-Key with another body is refused.
    fingerprint: str
    payload: msgspec.Raw


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What a service decided for a command; the gateway turns it into the HTTP answer."""

    status: int
    body: msgspec.Raw | None = None
    fingerprint: str = ""


encode = msgspec.json.Encoder().encode
event_decoder = msgspec.json.Decoder(EventEnvelope)
command_decoder = msgspec.json.Decoder(CommandEnvelope)
outcome_decoder = msgspec.json.Decoder(Outcome)


def new_event(
    payload: msgspec.Struct,
    *,
    aggregate_type: str,
    aggregate_id: str,
    aggregate_version: int,
    cluster_id: str | None,
    occurred_at: str,
    command: CommandEnvelope,
    schema_version: int = 1,
) -> EventEnvelope:
    """Wraps a service's event payload (a tagged Struct) for storage and publication."""
    from .ids import uuid7

    return EventEnvelope(
        event_id=uuid7(),
        type=type(payload).__struct_config__.tag,
        schema_version=schema_version,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        cluster_id=cluster_id,
        occurred_at=occurred_at,
        causation_id=command.command_id,
        correlation_id=command.correlation_id,
        actor=command.actor,
        data=msgspec.Raw(encode(payload)),
    )
