"""Composition root of configsync: projector, snapshot watch, heartbeat and the pull routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiohttp import web

from unmta_common import heartbeat
from unmta_common.config import InfraConfig, Names
from unmta_common.consumer import PositionedConsumer
from unmta_common.crypto import MasterKey
from unmta_common.kafka import TopicSpec, ensure_topics, running_producer
from unmta_common.pg import OPS_DDL, ensure_schema, open_pool
from unmta_common.service import service_topics
from unmta_common.tasks import background

from .projector import SnapshotProjection, follow_catalogue_release
from .pull import add_pull_routes, bind_pull_state
from .store import SOURCE_SERVICES, ConfigsyncNames, ensure_control
from .watch import SnapshotWatch

SERVICE = "configsync"


@dataclass
class RunningConfigsync:
    pool: asyncpg.Pool
    names: ConfigsyncNames
    consumer: PositionedConsumer
    watch: SnapshotWatch
    master_key: MasterKey

    def add_routes(self, app: web.Application) -> None:
        add_pull_routes(app)
        self.bind(app)

    def bind(self, app: web.Application) -> None:
        bind_pull_state(app, self.pool, self.watch, self.names, self.master_key)


@contextlib.asynccontextmanager
async def run_configsync(infra: InfraConfig, master_key_file: Path,
                         pool: asyncpg.Pool | None = None) -> AsyncIterator[RunningConfigsync]:
    """`master_key_file`: unwraps DKIM data keys when a snapshot is served (keys reach MTAs only)."""
    master_key = MasterKey.from_file(master_key_file)
    names = ConfigsyncNames(infra.namespace)
    common = Names(infra.namespace)
    async with contextlib.AsyncExitStack() as stack:
        if pool is None:
            pool = await stack.enter_async_context(open_pool(infra.database_url, max_size=20))
        await ensure_control(pool, names)
        await follow_catalogue_release(pool, names)
        await ensure_schema(pool, common.schema("ops"), OPS_DDL)
        # The sources may start after us: create their event topics so we can subscribe now.
        specs = [t for s in SOURCE_SERVICES for t in service_topics(common, s, infra.partitions)]
        await ensure_topics(infra.kafka_bootstrap, [*specs, TopicSpec(names.dead_letter_topic, 1, keep_forever=True)])
        producer = await stack.enter_async_context(running_producer(infra.kafka_bootstrap))
        consumer = PositionedConsumer(pool=pool, bootstrap=infra.kafka_bootstrap, topics=names.source_topics,
                                      projection=SnapshotProjection(names, live=True),
                                      dead_letter=(producer, names.dead_letter_topic), name=SERVICE)
        watch = SnapshotWatch(pool, names.channel)
        await stack.enter_async_context(background(**{
            "configsync.projector": consumer.run,
            "configsync.watch": watch.run,
            "configsync.heartbeat": lambda: heartbeat.beat_forever(pool, common.schema("ops"), SERVICE,
                                                                   lambda: consumer.consuming),
        }))
        yield RunningConfigsync(pool, names, consumer, watch, master_key)
