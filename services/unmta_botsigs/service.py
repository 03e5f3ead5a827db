"""Composition root of the botsigs service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from unmta_common.config import InfraConfig, Names
from unmta_common.pg import EVENT_SOURCED_DDL, ensure_schema, open_pool
from unmta_common.service import RunningService, run_command_service

from .catalogue import load_catalogue
from .handlers import BotsigsHandlers
from .state import STATE_DDL, BotsigsState, install_catalogue

SERVICE = "botsigs"


def botsigs_schema(namespace: str) -> str:
    return Names(namespace).schema(SERVICE)


@contextlib.asynccontextmanager
async def run_botsigs(infra: InfraConfig, pool: asyncpg.Pool | None = None) -> AsyncIterator[RunningService]:
    schema = botsigs_schema(infra.namespace)
    catalogue = load_catalogue()
    async with contextlib.AsyncExitStack() as stack:
        if pool is None:
            pool = await stack.enter_async_context(open_pool(infra.database_url))
        await ensure_schema(pool, schema, EVENT_SOURCED_DDL, STATE_DDL)
        await install_catalogue(pool, schema, catalogue)
        running = await stack.enter_async_context(run_command_service(
            infra, SERVICE, state_ddl=STATE_DDL, handler=BotsigsHandlers(schema, catalogue),
            project_state=BotsigsState(schema).apply, pool=pool))
        yield running
