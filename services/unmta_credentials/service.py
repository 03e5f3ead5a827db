"""Composition root of the credentials service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from unmta_common.config import InfraConfig, Names
from unmta_common.service import RunningService, run_command_service

from .handlers import CredentialsHandlers
from .state import STATE_DDL, CredentialsState

SERVICE = "credentials"


def credentials_schema(namespace: str) -> str:
    return Names(namespace).schema(SERVICE)


@contextlib.asynccontextmanager
async def run_credentials(infra: InfraConfig, pool: asyncpg.Pool | None = None) -> AsyncIterator[RunningService]:
    schema = credentials_schema(infra.namespace)
    async with run_command_service(infra, SERVICE, state_ddl=STATE_DDL, handler=CredentialsHandlers(schema),
                                   project_state=CredentialsState(schema).apply, pool=pool) as running:
        yield running
