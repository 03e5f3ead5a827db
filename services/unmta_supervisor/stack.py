"""All services in one asyncio process: fleet, configsync and the gateway (with the pull API)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import msgspec
from aiohttp import web

from unmta_botsigs.service import run_botsigs
from unmta_common.config import InfraConfig
from unmta_common.service import RunningService
from unmta_configsync.service import RunningConfigsync, run_configsync
from unmta_credentials.service import run_credentials
from unmta_domains.service import DomainsConfig, run_domains
from unmta_fleet.service import FleetConfig, run_fleet
from unmta_gateway.app import create_app
from unmta_gateway.context import GatewayConfig
from unmta_tracking.service import TrackingConfig, run_tracking


class StackConfig(msgspec.Struct, frozen=True, kw_only=True):
    infra: InfraConfig
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    admin_token: str
    base_domain: str = "unmta.net"
    command_timeout_s: float = 10.0
    master_key_file: Path
    dns_nameservers: list[str] = []
    dns_timeout_s: float = 3.0
    key_pool_size: int = 4
    verify_base_interval_s: float = 30.0
    verify_tick_s: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> tuple[StackConfig, bool]:
        """The config, and whether the admin token was generated (so it must be shown)."""
        token = env.get("UNMTA_ADMIN_TOKEN") or ""
        generated = not token
        if not env.get("UNMTA_MASTER_KEY_FILE"):
            raise SystemExit("configuration error: set UNMTA_MASTER_KEY_FILE (or use `make run`, which makes one)")
        return cls(
            infra=InfraConfig.from_env(env),
            http_host=env.get("UNMTA_HTTP_HOST", "127.0.0.1"),
            http_port=int(env.get("UNMTA_HTTP_PORT", "8080")),
            admin_token=token or secrets.token_urlsafe(32),
            base_domain=env.get("UNMTA_BASE_DOMAIN", "unmta.net"),
            master_key_file=Path(env["UNMTA_MASTER_KEY_FILE"]),
            dns_nameservers=[s.strip() for s in env.get("UNMTA_DNS_NAMESERVERS", "").split(",") if s.strip()],
        ), generated

    def gateway(self) -> GatewayConfig:
        return GatewayConfig(infra=self.infra, http_host=self.http_host, http_port=self.http_port,
                             admin_token=self.admin_token, base_domain=self.base_domain,
                             command_timeout_s=self.command_timeout_s)

    def tracking(self) -> TrackingConfig:
        return TrackingConfig(infra=self.infra, base_domain=self.base_domain, dns_nameservers=self.dns_nameservers,
                              dns_timeout_s=self.dns_timeout_s, verify_base_interval_s=self.verify_base_interval_s,
                              verify_tick_s=self.verify_tick_s)

    def domains(self) -> DomainsConfig:
        return DomainsConfig(infra=self.infra, master_key_file=self.master_key_file,
                             dns_nameservers=self.dns_nameservers, dns_timeout_s=self.dns_timeout_s,
                             key_pool_size=self.key_pool_size, verify_base_interval_s=self.verify_base_interval_s,
                             verify_tick_s=self.verify_tick_s)


@dataclass
class RunningStack:
    url: str
    configsync: RunningConfigsync
    domains: RunningService


@contextlib.asynccontextmanager
async def run_stack(config: StackConfig) -> AsyncIterator[RunningStack]:
    async with run_fleet(FleetConfig(infra=config.infra, base_domain=config.base_domain)), \
            run_domains(config.domains()) as domains, \
            run_credentials(config.infra), \
            run_tracking(config.tracking()), \
            run_botsigs(config.infra), \
            run_configsync(config.infra, config.master_key_file) as configsync:
        app = create_app(config.gateway(), extra_routes=configsync.add_routes)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, config.http_host, config.http_port)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 - the port when 0 was asked
            yield RunningStack(url=f"http://{config.http_host}:{port}", configsync=configsync, domains=domains)
        finally:
            await runner.cleanup()
