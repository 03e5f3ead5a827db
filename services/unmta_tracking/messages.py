"""Tracking commands and events."""

from __future__ import annotations

import msgspec


class CreateTrackingDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str
    is_default: bool = False


class SetDefaultTrackingDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str
    is_default: bool


class DeleteTrackingDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


class VerifyTrackingDomain(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


class RecordTrackingCheck(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str
    error: str | None


TrackingCommand = (CreateTrackingDomain | SetDefaultTrackingDomain | DeleteTrackingDomain | VerifyTrackingDomain
                   | RecordTrackingCheck)
command_decoder = msgspec.json.Decoder(TrackingCommand)


class TrackingDomainCreated(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str
    verification_hostname: str


class DefaultTrackingDomainChanged(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """The cluster's default is now `name` (None: no default); any previous default is unset."""

    cluster_id: str
    name: str | None


class TrackingDomainVerified(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


class TrackingDomainDeleted(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    cluster_id: str
    name: str


TrackingEvent = TrackingDomainCreated | DefaultTrackingDomainChanged | TrackingDomainVerified | TrackingDomainDeleted
event_decoder = msgspec.json.Decoder(TrackingEvent)
