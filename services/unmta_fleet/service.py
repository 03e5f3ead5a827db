"""Composition root of the fleet service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import msgspec

from unmta_common.config import InfraConfig, Names
from unmta_common.service import RunningService, run_command_service

from .handlers import FleetHandlers
from .state import STATE_DDL, FleetState

SERVICE = "fleet"


class FleetConfig(msgspec.Struct, frozen=True, kw_only=True):
    infra: InfraConfig
    base_domain: str = "unmta.net"


def fleet_schema(namespace: str) -> str:
    return Names(namespace).schema(SERVICE)


@contextlib.asynccontextmanager
async def run_fleet(config: FleetConfig, pool: asyncpg.Pool | None = None) -> AsyncIterator[RunningService]:
    schema = fleet_schema(config.infra.namespace)
    async with run_command_service(
        config.infra, SERVICE, state_ddl=STATE_DDL, handler=FleetHandlers(schema, config.base_domain),
        project_state=FleetState(schema).apply, pool=pool,
    ) as running:
        yield running
