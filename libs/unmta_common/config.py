"""Typed configuration, built once at each entry point from the environment and passed down."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec


class InfraConfig(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    kafka_bootstrap: str
    # Prefix of every topic, schema and notification channel: lets tests share servers safely.
    namespace: str = "unmta"
    partitions: int = 6
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> InfraConfig:
        missing = [name for name in ("UNMTA_DATABASE_URL", "UNMTA_KAFKA_BOOTSTRAP") if not env.get(name)]
        if missing:
            raise SystemExit(f"configuration error: set {', '.join(missing)} (or use `make run`)")
        return cls(
            database_url=env["UNMTA_DATABASE_URL"],
            kafka_bootstrap=env["UNMTA_KAFKA_BOOTSTRAP"],
            namespace=env.get("UNMTA_NAMESPACE", "unmta"),
            partitions=int(env.get("UNMTA_PARTITIONS", "6")),
            log_level=env.get("UNMTA_LOG_LEVEL", "INFO"),
        )


class Names:
    """Where a namespace's things live: topics, schemas, channels."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def commands_topic(self, service: str) -> str:
        return f"{self.ns}.commands.{service}"

    def events_topic(self, service: str) -> str:
        return f"{self.ns}.events.{service}"

    def dead_letter_topic(self, service: str) -> str:
        return f"{self.ns}.deadletter.{service}"

    def schema(self, service: str) -> str:
        return f"{self.ns}_{service}"

    def channel(self, purpose: str) -> str:
        return f"{self.ns}_{purpose}"
