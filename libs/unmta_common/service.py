"""Runs an event-sourced command service: its schema, topics, command processor, outbox relay
and heartbeat, all opened and closed together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg

from . import heartbeat
from .commands import CommandProcessor, Handler, Preparer, StateProjector
from .config import InfraConfig, Names
from .kafka import TopicSpec, ensure_topics, running_producer
from .outbox import OutboxRelay
from .pg import EVENT_SOURCED_DDL, OPS_DDL, ensure_schema, open_pool
from .tasks import background


def service_topics(names: Names, service: str, partitions: int) -> list[TopicSpec]:
    return [
        TopicSpec(names.commands_topic(service), partitions, keep_forever=False),
        TopicSpec(names.events_topic(service), partitions, keep_forever=True),
        TopicSpec(names.dead_letter_topic(service), 1, keep_forever=True),
    ]


@dataclass
class RunningService:
    pool: asyncpg.Pool
    schema: str
    processor: CommandProcessor
    relay: OutboxRelay


@contextlib.asynccontextmanager
async def run_command_service(
    infra: InfraConfig,
    service: str,
    *,
    state_ddl: str,
    handler: Handler,
    project_state: StateProjector,
    prepare: Preparer | None = None,
    pool: asyncpg.Pool | None = None,
    background_tasks: dict | None = None,
) -> AsyncIterator[RunningService]:
    """`background_tasks`: name -> callable(RunningService) returning a coroutine to keep running."""
    names = Names(infra.namespace)
    schema = names.schema(service)
    async with contextlib.AsyncExitStack() as stack:
        if pool is None:
            pool = await stack.enter_async_context(open_pool(infra.database_url))
        await ensure_schema(pool, schema, EVENT_SOURCED_DDL, state_ddl)
        await ensure_schema(pool, names.schema("ops"), OPS_DDL)
        await ensure_topics(infra.kafka_bootstrap, service_topics(names, service, infra.partitions))
        producer = await stack.enter_async_context(running_producer(infra.kafka_bootstrap))
        processor = CommandProcessor(
            pool=pool, bootstrap=infra.kafka_bootstrap, producer=producer, service=service,
            commands_topic=names.commands_topic(service), events_topic=names.events_topic(service),
            dead_letter_topic=names.dead_letter_topic(service), schema=schema,
            outcome_channel=names.channel("outcomes"), handler=handler, project_state=project_state,
            prepare=prepare,
        )
        relay = OutboxRelay(pool, producer, schema)
        running = RunningService(pool, schema, processor, relay)
        extra = {name: (lambda make=make: make(running)) for name, make in (background_tasks or {}).items()}
        await stack.enter_async_context(background(**extra, **{
            f"{service}.commands": processor.run,
            f"{service}.outbox": relay.run,
            f"{service}.heartbeat": lambda: heartbeat.beat_forever(pool, names.schema("ops"), service,
                                                                   lambda: processor.consuming),
        }))
        yield running
