"""The gateway's configuration and the resources its handlers share (typed AppKeys)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import msgspec
from aiohttp import web
from aiokafka import AIOKafkaProducer

from unmta_common.commands import CommandBus
from unmta_common.config import InfraConfig, Names
from unmta_fleet.queries import FleetQueries
from unmta_fleet.service import fleet_schema


class GatewayConfig(msgspec.Struct, frozen=True, kw_only=True):
    infra: InfraConfig
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    admin_token: str
    base_domain: str = "unmta.net"
    command_timeout_s: float = 10.0
    # /health is green only while each of these reports that it is consuming.
    services: tuple[str, ...] = ("fleet", "domains", "credentials", "tracking", "botsigs", "configsync")


@dataclass
class Gateway:
    config: GatewayConfig
    names: Names
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    bus: CommandBus
    fleet: FleetQueries


GATEWAY = web.AppKey("gateway", Gateway)
CONFIG = web.AppKey("gateway_config", GatewayConfig)


def fleet_queries(config: GatewayConfig) -> FleetQueries:
    return FleetQueries(fleet_schema(config.infra.namespace))
