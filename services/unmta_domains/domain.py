"""The Domain aggregate, one per (cluster, name): uniqueness in a cluster is its identity."""

from __future__ import annotations

from dataclasses import dataclass

from unmta_common.decisions import Rejected, invalid, not_found

from .dkim import ALGORITHM, SELECTOR
from .messages import DomainCreated, DomainDeleted, DomainsEvent, DomainVerified
from .names import domain_name_errors


@dataclass
class SealedKey:
    key_id: str
    public_key: str
    sealed_private_key: str


@dataclass
class Domain:
    cluster_id: str
    name: str
    version: int = 0
    status: str | None = None  # None (never created or deleted), "pending", "verified"
    key_id: str | None = None
    public_key: str | None = None

    @property
    def exists(self) -> bool:
        return self.status is not None

    def apply(self, event: DomainsEvent) -> None:
        match event:
            case DomainCreated(key_id=key_id, public_key=public_key):
                self.status, self.key_id, self.public_key = "pending", key_id, public_key
            case DomainVerified():
                self.status = "verified"
            case DomainDeleted():
                self.status, self.key_id, self.public_key = None, None, None
        self.version += 1

    def check_creatable(self) -> None:
        errors = domain_name_errors(self.name)
        if errors:
            raise invalid({"name": errors})
        if self.exists:
            raise invalid({"name": ["The name has already been taken."]})

    def create(self, key: SealedKey) -> list[DomainsEvent]:
        self.check_creatable()
        return [DomainCreated(cluster_id=self.cluster_id, name=self.name, selector=SELECTOR, algorithm=ALGORITHM,
                              public_key=key.public_key, key_id=key.key_id,
                              sealed_private_key=key.sealed_private_key)]

    def delete(self) -> list[DomainsEvent]:
        if not self.exists:
            raise not_found()
        return [DomainDeleted(cluster_id=self.cluster_id, name=self.name, key_id=self.key_id)]

    def record_check(self, error: str | None) -> list[DomainsEvent]:
        """A DNS check's result: only a pending domain that now checks out changes."""
        if not self.exists:
            raise not_found()
        if error is None and self.status == "pending":
            return [DomainVerified(cluster_id=self.cluster_id, name=self.name)]
        return []


__all__ = ["Domain", "Rejected", "SealedKey"]
