"""Composition root of the domains service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import msgspec

from unmta_common.config import InfraConfig, Names
from unmta_common.crypto import MasterKey
from unmta_common.dns import Resolver
from unmta_common.pg import EVENT_SOURCED_DDL, ensure_schema, open_pool
from unmta_common.rechecks import RECHECKS_DDL, Rechecks
from unmta_common.service import RunningService, run_command_service

from .handlers import DomainsHandlers
from .keys import KEYS_DDL, KeyPool
from .state import STATE_DDL, DomainsState

SERVICE = "domains"


class DomainsConfig(msgspec.Struct, frozen=True, kw_only=True):
    infra: InfraConfig
    master_key_file: Path
    dns_nameservers: list[str] = []
    dns_timeout_s: float = 3.0
    key_pool_size: int = 4
    # Background re-checks of pending domains: base * 2^attempts, capped.
    verify_base_interval_s: float = 30.0
    verify_max_interval_s: float = 3600.0
    verify_tick_s: float = 1.0


def domains_schema(namespace: str) -> str:
    return Names(namespace).schema(SERVICE)


@contextlib.asynccontextmanager
async def run_domains(config: DomainsConfig, pool: asyncpg.Pool | None = None) -> AsyncIterator[RunningService]:
    schema = domains_schema(config.infra.namespace)
    master = MasterKey.from_file(config.master_key_file)
    resolver = Resolver(config.dns_nameservers, timeout_s=config.dns_timeout_s)
    async with contextlib.AsyncExitStack() as stack:
        if pool is None:
            pool = await stack.enter_async_context(open_pool(config.infra.database_url))
        await ensure_schema(pool, schema, EVENT_SOURCED_DDL, KEYS_DDL, RECHECKS_DDL, STATE_DDL)
        keys = KeyPool(pool, schema, master, config.key_pool_size)
        rechecks = Rechecks(schema, config.verify_base_interval_s, config.verify_max_interval_s)
        handlers = DomainsHandlers(pool, schema, keys, resolver, rechecks)

        stack.push_async_callback(resolver.close)
        running = await stack.enter_async_context(run_command_service(
            config.infra, SERVICE, state_ddl=STATE_DDL, handler=handlers,
            project_state=DomainsState(schema, rechecks).apply,
            prepare=handlers.prepare, pool=pool,
            background_tasks={"domains.keypool": lambda _running: keys.refill_forever(),
                              "domains.verifier": rechecks.task(pool, handlers.recheck, config.verify_tick_s)}))
        yield running
