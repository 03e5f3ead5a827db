"""Real servers for the whole session; a clean namespace (schemas, topics, channels) per stack."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.dns_server import DnsServer
from unmta_common.config import InfraConfig
from unmta_common.crypto import MasterKey
from unmta_devstack import start_stack
from unmta_supervisor.stack import RunningStack, StackConfig, run_stack

ADMIN_TOKEN = "test-admin-token"
_counter = itertools.count()


@pytest.fixture(scope="session")
def infra_servers():
    """Postgres and Kafka for the session: provisioned here unless the environment names them."""
    stack = start_stack(durable=False)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def master_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "master.key"
    MasterKey.load_or_create(path)
    return path


@pytest.fixture(scope="session")
async def dns_server() -> AsyncIterator[DnsServer]:
    server = DnsServer()
    await server.start()
    yield server
    server.close()


def fresh_namespace() -> str:
    return f"t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def infra(infra_servers) -> InfraConfig:
    return InfraConfig(database_url=infra_servers.database_url, kafka_bootstrap=infra_servers.kafka_bootstrap,
                       namespace=fresh_namespace(), partitions=2)


def stack_config(infra: InfraConfig, master_key_file, dns: DnsServer, **overrides) -> StackConfig:
    # Fast DNS timeouts and background re-checks, so verification tests take seconds.
    settings = dict(http_port=0, admin_token=ADMIN_TOKEN, master_key_file=master_key_file,
                    dns_nameservers=[dns.address], dns_timeout_s=0.3, verify_base_interval_s=0.2, verify_tick_s=0.1)
    return StackConfig(infra=infra, **{**settings, **overrides})


async def wait_healthy(url: str, timeout: float = 30.0) -> None:
    async with aiohttp.ClientSession() as http, asyncio.timeout(timeout):
        while True:
            async with http.get(f"{url}/health") as response:
                if response.status == 200:
                    return
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def started_stack(config: StackConfig) -> AsyncIterator[RunningStack]:
    async with run_stack(config) as stack:
        await wait_healthy(stack.url)
        yield stack


@pytest.fixture(scope="session")
async def shared_stack(infra_servers, master_key_file, dns_server) -> AsyncIterator[RunningStack]:
    """One running control plane for the tests that only need their own clusters."""
    infra = InfraConfig(database_url=infra_servers.database_url, kafka_bootstrap=infra_servers.kafka_bootstrap,
                        namespace=fresh_namespace(), partitions=2)
    async with started_stack(stack_config(infra, master_key_file, dns_server)) as stack:
        yield stack


@pytest.fixture
async def fresh_stack(infra, master_key_file, dns_server) -> AsyncIterator[RunningStack]:
    """A control plane of its own, for tests that replay, restart or count everything."""
    async with started_stack(stack_config(infra, master_key_file, dns_server)) as stack:
        yield stack


@pytest.fixture
async def tenant(shared_stack):
    """A cluster of its own, a user who may use it, and an API client: (api, cluster id, user token)."""
    from tests.api import Api

    async with aiohttp.ClientSession() as http:
        api = Api(http, shared_stack.url)
        cluster = await api.new_cluster()
        token = await api.new_user(f"user-{uuid.uuid4().hex[:8]}@example.com", [cluster["id"]])
        yield api, cluster["id"], token
