"""Fleet aggregates: small objects whose methods decide and return past-tense events.

Pure: no I/O. A use case loads an aggregate from its events, calls one method, saves the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unmta_common.decisions import Errors, Rejected, check, invalid, not_found

from .messages import (
    ApiTokenIssued,
    ApiTokenRevoked,
    ClusterAccessGranted,
    ClusterCreated,
    ClusterRateChanged,
    FleetEvent,
    MtaRegistered,
    OutboundIp,
    UserRegistered,
)
from .validation import (
    email_errors,
    ipv4_errors,
    ipv6_errors,
    normalise_ip,
    ptr_for,
    rate_errors,
    region_errors,
)


@dataclass
class Cluster:
    id: str
    version: int = 0
    exists: bool = False
    max_message_rate: str | None = None

    def apply(self, event: FleetEvent) -> None:
        match event:
            case ClusterCreated(max_message_rate=rate):
                self.exists, self.max_message_rate = True, rate
            case ClusterRateChanged(max_message_rate=rate):
                self.max_message_rate = rate
        self.version += 1

    def create(self, region: str, max_message_rate: str | None, base_domain: str) -> list[FleetEvent]:
        check({"region": region_errors(region), "max_message_rate": rate_errors(max_message_rate)})
        if self.exists:
            raise Rejected(409, "Cluster id already in use.")
        return [ClusterCreated(cluster_id=self.id, hostname=f"c-{self.id}.{base_domain}", region=region,
                               max_message_rate=max_message_rate)]

    def set_rate(self, max_message_rate: str | None) -> list[FleetEvent]:
        if not self.exists:
            raise not_found()
        check({"max_message_rate": rate_errors(max_message_rate)})
        if max_message_rate == self.max_message_rate:
            return []
        return [ClusterRateChanged(cluster_id=self.id, max_message_rate=max_message_rate)]


@dataclass
class Mta:
    id: str
    version: int = 0
    exists: bool = False

    def apply(self, event: FleetEvent) -> None:
        if isinstance(event, MtaRegistered):
            self.exists = True
        self.version += 1

    def register(self, cluster: Cluster, primary_ipv4: str, primary_ipv6: str | None,
                 outbound_ips: list[OutboundIp], token_digest: str, base_domain: str) -> list[FleetEvent]:
        if not cluster.exists:
            raise not_found()
        errors: Errors = {
            "primary_ipv4": ipv4_errors("primary_ipv4", primary_ipv4, required=True),
            "primary_ipv6": ipv6_errors("primary_ipv6", primary_ipv6, required=False),
        }
        for index, ip in enumerate(outbound_ips):
            errors[f"outbound_ips.{index}.ipv4"] = ipv4_errors("ipv4", ip.ipv4, required=True)
            errors[f"outbound_ips.{index}.ipv6"] = ipv6_errors("ipv6", ip.ipv6, required=False)
        check(errors)
        if self.exists:
            raise Rejected(409, "MTA id already in use.")
        outbound = [
            OutboundIp(ipv4=normalise_ip(ip.ipv4), ipv6=normalise_ip(ip.ipv6),
                       ptr=ip.ptr or ptr_for(normalise_ip(ip.ipv4), base_domain))
            for ip in outbound_ips
        ]
        return [MtaRegistered(mta_id=self.id, cluster_id=cluster.id, hostname=f"m-{self.id}.{base_domain}",
                              primary_ipv4=normalise_ip(primary_ipv4), primary_ipv6=normalise_ip(primary_ipv6),
                              outbound_ips=outbound, token_digest=token_digest)]


@dataclass
class User:
    email: str
    version: int = 0
    user_id: str | None = None
    token_digest: str | None = None
    clusters: set[str] = field(default_factory=set)

    def apply(self, event: FleetEvent) -> None:
        match event:
            case UserRegistered(user_id=user_id):
                self.user_id = user_id
            case ClusterAccessGranted(cluster_id=cluster_id):
                self.clusters.add(cluster_id)
            case ApiTokenIssued(token_digest=digest):
                self.token_digest = digest
            case ApiTokenRevoked():
                self.token_digest = None
        self.version += 1

    def register(self, new_user_id: str) -> list[FleetEvent]:
        check({"email": email_errors(self.email)})
        if self.user_id is not None:
            raise invalid({"email": ["The email has already been taken."]})
        return [UserRegistered(user_id=new_user_id, email=self.email)]

    def grant(self, cluster: Cluster) -> list[FleetEvent]:
        if self.user_id is None or not cluster.exists:
            raise not_found()
        if cluster.id in self.clusters:
            return []
        return [ClusterAccessGranted(user_id=self.user_id, cluster_id=cluster.id)]

    def issue_token(self, token_digest: str) -> list[FleetEvent]:
        if self.user_id is None:
            raise not_found()
        return [ApiTokenIssued(user_id=self.user_id, token_digest=token_digest)]

    def revoke_token(self) -> list[FleetEvent]:
        if self.user_id is None:
            raise not_found()
        if self.token_digest is None:
            return []
        return [ApiTokenRevoked(user_id=self.user_id)]
