"""A cluster's tracking domains as one aggregate: the one-default invariant is decided here, so
every create and PATCH of a cluster is serialised by the aggregate's version."""

from __future__ import annotations

from dataclasses import dataclass, field

from unmta_common.decisions import invalid, not_found
from unmta_domains.names import domain_name_errors

from .messages import (
    DefaultTrackingDomainChanged,
    TrackingDomainCreated,
    TrackingDomainDeleted,
    TrackingDomainVerified,
    TrackingEvent,
)


@dataclass
class TrackingDomains:
    cluster_id: str
    version: int = 0
    # name -> status ("pending" | "active")
    names: dict[str, str] = field(default_factory=dict)
    default: str | None = None

    def apply(self, event: TrackingEvent) -> None:
        match event:
            case TrackingDomainCreated(name=name):
                self.names[name] = "pending"
            case DefaultTrackingDomainChanged(name=name):
                self.default = name
            case TrackingDomainVerified(name=name):
                self.names[name] = "active"
            case TrackingDomainDeleted(name=name):
                del self.names[name]
                if self.default == name:
                    self.default = None
        self.version += 1

    def _require(self, name: str) -> None:
        if name not in self.names:
            raise not_found()

    def create(self, name: str, is_default: bool, verification_hostname: str) -> list[TrackingEvent]:
        errors = domain_name_errors(name, min_labels=3)
        if errors:
            raise invalid({"name": errors})
        if name in self.names:
            raise invalid({"name": ["The name has already been taken."]})
        events: list[TrackingEvent] = [TrackingDomainCreated(cluster_id=self.cluster_id, name=name,
                                                             verification_hostname=verification_hostname)]
        if is_default:
            events.append(DefaultTrackingDomainChanged(cluster_id=self.cluster_id, name=name))
        return events

    def set_default(self, name: str, is_default: bool) -> list[TrackingEvent]:
        self._require(name)
        if is_default and self.default != name:
            return [DefaultTrackingDomainChanged(cluster_id=self.cluster_id, name=name)]
        if not is_default and self.default == name:
            return [DefaultTrackingDomainChanged(cluster_id=self.cluster_id, name=None)]
        return []

    def delete(self, name: str) -> list[TrackingEvent]:
        self._require(name)
        return [TrackingDomainDeleted(cluster_id=self.cluster_id, name=name)]

    def record_check(self, name: str, error: str | None) -> list[TrackingEvent]:
        self._require(name)
        if error is None and self.names[name] == "pending":
            return [TrackingDomainVerified(cluster_id=self.cluster_id, name=name)]
        return []
