"""When the owning service can't answer in time: 503 with Retry-After, and a keyed retry applies once."""

from __future__ import annotations

import uuid

import aiohttp
from aiohttp import web

from tests.api import Api
from tests.conftest import ADMIN_TOKEN, wait_healthy
from unmta_fleet.service import FleetConfig, run_fleet
from unmta_gateway.app import create_app
from unmta_gateway.context import GatewayConfig


async def test_no_outcome_in_time_is_503_and_the_keyed_retry_applies_once(infra):
    config = GatewayConfig(infra=infra, http_port=0, admin_token=ADMIN_TOKEN, command_timeout_s=1.0,
                           services=("fleet",))
    runner = web.AppRunner(create_app(config))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    try:
        async with aiohttp.ClientSession() as http:
            api = Api(http, url)
            # The fleet service is not running: the command waits in Kafka, the client gets a 503.
            status, body, headers = await api.admin("POST", "/admin/v1/clusters", {"region": "eu-ams-1"}, key)
            assert status == 503
            assert headers["Retry-After"] == "2"
            assert "Idempotency-Key" in body["message"]
            assert (await api.call("GET", "/health"))[0] == 503

            async with run_fleet(FleetConfig(infra=infra)):
                await wait_healthy(url)
                status, body, _ = await api.admin("POST", "/admin/v1/clusters", {"region": "eu-ams-1"}, key)
                assert status == 201
                clusters = (await api.admin_ok("GET", "/admin/v1/clusters"))["data"]
                assert [c["id"] for c in clusters] == [body["data"]["id"]]
    finally:
        await runner.cleanup()
