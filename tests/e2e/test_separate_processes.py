"""Each service is its own process: fleet, configsync and the gateway started alone, as in production."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys

import aiohttp

from tests.api import Api
from tests.conftest import ADMIN_TOKEN, wait_healthy
from unmta_devstack.proc import free_port


@contextlib.contextmanager
def service_processes(infra, gateway_port: int, configsync_port: int, log_dir, master_key_file):
    env = dict(os.environ, UNMTA_DATABASE_URL=infra.database_url, UNMTA_KAFKA_BOOTSTRAP=infra.kafka_bootstrap,
               UNMTA_NAMESPACE=infra.namespace, UNMTA_PARTITIONS=str(infra.partitions), UNMTA_ADMIN_TOKEN=ADMIN_TOKEN,
               UNMTA_MASTER_KEY_FILE=str(master_key_file))
    specs = [("unmta_fleet", {}), ("unmta_domains", {}), ("unmta_credentials", {}), ("unmta_tracking", {}),
             ("unmta_botsigs", {}),
             ("unmta_configsync", {"UNMTA_HTTP_PORT": str(configsync_port)}),
             ("unmta_gateway", {"UNMTA_HTTP_PORT": str(gateway_port)})]
    processes = []
    try:
        for module, extra in specs:
            log = open(log_dir / f"{module}.log", "wb")
            processes.append(subprocess.Popen([sys.executable, "-m", module], env={**env, **extra}, stdout=log,
                                              stderr=subprocess.STDOUT))
            log.close()
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


async def test_services_started_alone_serve_the_whole_path(infra, tmp_path, master_key_file):
    gateway_port, configsync_port = free_port(), free_port()
    gateway, configsync = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{configsync_port}"
    with service_processes(infra, gateway_port, configsync_port, tmp_path, master_key_file) as processes:
        try:
            async with asyncio.timeout(60):
                while True:
                    try:
                        await wait_healthy(gateway, 60)
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
        except TimeoutError:
            logs = {p.name: p.read_text()[-2000:] for p in tmp_path.glob("*.log")}
            raise AssertionError(f"not healthy; logs: {logs}") from None
        async with aiohttp.ClientSession() as http:
            api = Api(http, gateway)
            cluster = await api.new_cluster("9/s")
            mta, token = await api.new_mta(cluster["id"])
            pull = Api(http, configsync)
            async with asyncio.timeout(20):
                while True:
                    status, body, _ = await pull.call("GET", f"/mta/v1/mtas/{mta['id']}/snapshot", token)
                    if status == 200:
                        break
                    await asyncio.sleep(0.05)
            assert body["cluster"]["max_message_rate"] == "9/s"
            assert body["mta"]["id"] == mta["id"]
        assert all(p.poll() is None for p in processes)
