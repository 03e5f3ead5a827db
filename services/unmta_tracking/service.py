"""Composition root of the tracking service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import msgspec

from unmta_common.config import InfraConfig, Names
from unmta_common.dns import Resolver
from unmta_common.pg import EVENT_SOURCED_DDL, ensure_schema, open_pool
from unmta_common.rechecks import RECHECKS_DDL, Rechecks
from unmta_common.service import RunningService, run_command_service

from .handlers import TrackingHandlers
from .state import STATE_DDL, TrackingState

SERVICE = "tracking"


class TrackingConfig(msgspec.Struct, frozen=True, kw_only=True):
    infra: InfraConfig
    base_domain: str = "unmta.net"
    dns_nameservers: list[str] = []
    dns_timeout_s: float = 3.0
    verify_base_interval_s: float = 30.0
    verify_max_interval_s: float = 3600.0
    verify_tick_s: float = 1.0


def tracking_schema(namespace: str) -> str:
    return Names(namespace).schema(SERVICE)


@contextlib.asynccontextmanager
async def run_tracking(config: TrackingConfig, pool: asyncpg.Pool | None = None) -> AsyncIterator[RunningService]:
    schema = tracking_schema(config.infra.namespace)
    resolver = Resolver(config.dns_nameservers, timeout_s=config.dns_timeout_s)
    async with contextlib.AsyncExitStack() as stack:
        if pool is None:
            pool = await stack.enter_async_context(open_pool(config.infra.database_url))
        await ensure_schema(pool, schema, EVENT_SOURCED_DDL, RECHECKS_DDL, STATE_DDL)
        rechecks = Rechecks(schema, config.verify_base_interval_s, config.verify_max_interval_s)
        handlers = TrackingHandlers(pool, schema, config.base_domain, resolver, rechecks)

        stack.push_async_callback(resolver.close)
        running = await stack.enter_async_context(run_command_service(
            config.infra, SERVICE, state_ddl=STATE_DDL, handler=handlers,
            project_state=TrackingState(schema, rechecks).apply, prepare=handlers.prepare, pool=pool,
            background_tasks={"tracking.verifier": rechecks.task(pool, handlers.recheck, config.verify_tick_s)}))
        yield running
