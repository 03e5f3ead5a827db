"""`create_app(config)`: the gateway's aiohttp application (no module-level state)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from unmta_common import heartbeat
from unmta_common.commands import CommandBus
from unmta_common.config import Names
from unmta_common.kafka import running_producer
from unmta_common.pg import EVENT_SOURCED_DDL, OPS_DDL, ensure_schema, open_pool

from . import admin, api_botsigs, api_credentials, api_domains, api_tracking, api_v1
from .context import CONFIG, GATEWAY, Gateway, GatewayConfig, fleet_queries
from .http import json_errors, json_response
from .openapi import build_spec
from .routes import Endpoint, register

PUBLIC_ENDPOINTS: list[Endpoint] = [*api_v1.ENDPOINTS, *api_domains.ENDPOINTS, *api_tracking.ENDPOINTS,
                                    *api_credentials.ENDPOINTS, *api_botsigs.ENDPOINTS]
ADMIN_ENDPOINTS: list[Endpoint] = [*admin.ENDPOINTS]
HEALTH_TIMEOUT_S = 2.0


async def _resources(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    names = Names(config.infra.namespace)
    async with open_pool(config.infra.database_url, max_size=20) as pool, \
            running_producer(config.infra.kafka_bootstrap) as producer:
        await ensure_schema(pool, names.schema("ops"), OPS_DDL)
        # Owners create their own tables; these exist early so reads before first start don't fail.
        for service in ("fleet", "domains", "credentials", "tracking", "botsigs"):
            await ensure_schema(pool, names.schema(service), EVENT_SOURCED_DDL)
        bus = CommandBus(pool, producer, names.channel("outcomes"))
        await bus.start()
        app[GATEWAY] = Gateway(config=config, names=names, pool=pool, producer=producer, bus=bus,
                               fleet=fleet_queries(config))
        try:
            yield
        finally:
            await bus.stop()


async def health(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    checks: dict[str, object] = {}
    try:
        await asyncio.wait_for(gateway.pool.fetchval("SELECT 1"), HEALTH_TIMEOUT_S)
        checks["postgres"] = "ok"
        consuming = await asyncio.wait_for(
            heartbeat.consuming_services(gateway.pool, gateway.names.schema("ops")), HEALTH_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - any failure is "unreachable" here
        checks["postgres"] = f"unreachable: {type(exc).__name__}"
        consuming = set()
    try:
        await asyncio.wait_for(gateway.producer.client.fetch_all_metadata(), HEALTH_TIMEOUT_S)
        checks["kafka"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["kafka"] = f"unreachable: {type(exc).__name__}"
    checks["services"] = {s: ("consuming" if s in consuming else "not consuming") for s in gateway.config.services}
    healthy = checks["postgres"] == "ok" and checks["kafka"] == "ok" and consuming >= set(gateway.config.services)
    return json_response({"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503)


def create_app(config: GatewayConfig, *, extra_routes: Callable[[web.Application], None] | None = None,
               extra_endpoints: list[Endpoint] | None = None) -> web.Application:
    app = web.Application(middlewares=[json_errors, admin.operator_only], client_max_size=1 << 20)
    app[CONFIG] = config
    app.cleanup_ctx.append(_resources)
    public = [*PUBLIC_ENDPOINTS, *(extra_endpoints or [])]
    register(app, public)
    register(app, ADMIN_ENDPOINTS)
    spec = build_spec(public, title="unMTA Management API", version="1")
    admin_spec = build_spec(ADMIN_ENDPOINTS, title="unMTA Admin API", version="1")

    async def openapi(_request: web.Request) -> web.Response:
        return json_response(spec)

    async def admin_openapi(_request: web.Request) -> web.Response:
        return json_response(admin_spec)

    app.router.add_get("/api/v1/openapi.json", openapi)
    app.router.add_get("/admin/v1/openapi.json", admin_openapi)
    app.router.add_get("/health", health)
    if extra_routes is not None:
        extra_routes(app)
    return app
