"""Loading an aggregate from its events and wrapping the events it decided, for any service.

An aggregate is any object with a `version` and an `apply(event)` method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import asyncpg
import msgspec

from . import eventstore
from .envelope import CommandEnvelope, EventEnvelope, new_event
from .timefmt import utc_now


class Aggregate(Protocol):
    version: int

    def apply(self, event: msgspec.Struct) -> None: ...


A = TypeVar("A", bound=Aggregate)


class Repository:
    def __init__(self, schema: str, decoder: msgspec.json.Decoder, aggregate_type: str) -> None:
        self.schema = schema
        self._decoder = decoder
        self._aggregate_type = aggregate_type

    async def load(self, conn: asyncpg.Connection, key: str, aggregate: A) -> A:
        for envelope in await eventstore.load(conn, self.schema, key):
            aggregate.apply(self._decoder.decode(envelope.data))
        return aggregate

    def envelopes(self, key: str, aggregate: Aggregate, cluster_id: str | None, events: Sequence[msgspec.Struct],
                  command: CommandEnvelope, aggregate_type: str | None = None) -> list[EventEnvelope]:
        """The decided events, numbered after the aggregate's current version."""
        now = utc_now()
        return [new_event(e, aggregate_type=aggregate_type or self._aggregate_type, aggregate_id=key,
                          aggregate_version=aggregate.version + i + 1, cluster_id=cluster_id, occurred_at=now,
                          command=command)
                for i, e in enumerate(events)]
