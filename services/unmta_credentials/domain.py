"""The Credential aggregate, one per (cluster, user)."""

from __future__ import annotations

from dataclasses import dataclass

from unmta_common.decisions import check, invalid, not_found

from .messages import CredentialCreated, CredentialDeleted, CredentialRestricted, CredentialsEvent, UpdateCredential
from .rules import Restrictions, merge_update, normalised, restriction_errors, user_errors


@dataclass
class Credential:
    cluster_id: str
    user: str
    version: int = 0
    restrictions: Restrictions | None = None  # None: never created, or deleted

    def apply(self, event: CredentialsEvent) -> None:
        match event:
            case CredentialCreated(restrictions=r) | CredentialRestricted(restrictions=r):
                self.restrictions = r
            case CredentialDeleted():
                self.restrictions = None
        self.version += 1

    def create(self, password_hash: str, restrictions: Restrictions) -> list[CredentialsEvent]:
        check({"user": user_errors(self.user), **restriction_errors(restrictions)})
        if self.restrictions is not None:
            raise invalid({"user": ["The user has already been taken."]})
        return [CredentialCreated(cluster_id=self.cluster_id, user=self.user, password_hash=password_hash,
                                  restrictions=normalised(restrictions))]

    def update(self, change: UpdateCredential) -> list[CredentialsEvent]:
        if self.restrictions is None:
            raise not_found()
        merged = merge_update(self.restrictions, change.allow_all_domains, change.domains, change.allow_all_ips,
                              change.allowed_ips)
        check(restriction_errors(merged))
        merged = normalised(merged)
        if merged == self.restrictions:
            return []
        return [CredentialRestricted(cluster_id=self.cluster_id, user=self.user, restrictions=merged)]

    def delete(self) -> list[CredentialsEvent]:
        if self.restrictions is None:
            raise not_found()
        return [CredentialDeleted(cluster_id=self.cluster_id, user=self.user)]
