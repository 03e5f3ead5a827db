"""The operator's walkthrough: CLI -> gateway -> Kafka -> fleet -> configsync -> a long-polling agent."""

from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import pytest

from tests.agents import running_agent
from tests.api import Api
from tests.conftest import ADMIN_TOKEN
from unmta_agent.agent import Agent, AgentConfig, load_installed
from unmta_cli.main import main as cli_main

AGENT_TIMEOUT_S = 15


async def cli(capsys, url: str, *argv: str) -> dict:
    """Runs `unmta ... --json` in a thread (it is synchronous) and returns its parsed output."""
    code = await asyncio.to_thread(cli_main, [*argv, "--json", "--url", url, "--admin-token", ADMIN_TOKEN])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out) if out.strip() else {}


async def test_cli_walkthrough_reaches_rest_and_a_long_polling_agent(shared_stack, capsys, tmp_path):
    url = shared_stack.url
    cluster = (await cli(capsys, url, "clusters", "create", "--region", "us-dal-1",
                         "--max-message-rate", "50/hr,max_burst=10"))["data"]
    created = await cli(capsys, url, "mtas", "create", "--cluster", cluster["id"], "--primary-ipv4", "203.0.113.10",
                        "--primary-ipv6", "2001:db8::1", "--outbound", "203.0.113.20,2001:db8::10")
    mta, mta_token = created["data"], created["token"]
    email = f"ops-{uuid.uuid4().hex[:6]}@example.com"
    await cli(capsys, url, "users", "create", "--email", email)
    await cli(capsys, url, "users", "grant", "--email", email, "--cluster", cluster["id"])
    api_token = (await cli(capsys, url, "tokens", "generate", "--email", email))["token"]

    async with aiohttp.ClientSession() as http:
        api = Api(http, url)
        status, clusters, _ = await api.call("GET", "/api/v1/clusters", api_token)
        assert status == 200 and clusters["data"] == [cluster]
        status, mtas, _ = await api.call("GET", f"/api/v1/clusters/{cluster['id']}/mtas", api_token)
        assert status == 200 and [m["id"] for m in mtas["data"]] == [mta["id"]]
        other = await api.new_user(f"other-{uuid.uuid4().hex[:6]}@example.com")
        assert (await api.call("GET", f"/api/v1/clusters/{cluster['id']}/mtas", other))[:2] == (
            404, {"message": "Not Found"})

    async with running_agent(url, mta["id"], mta_token, tmp_path) as agent:
        first = await agent.wait_until(lambda s: True, AGENT_TIMEOUT_S)
        snapshot = json.loads((tmp_path / "snapshot.json").read_bytes())
        assert snapshot["cluster"]["max_message_rate"] == "50/hr,max_burst=10"
        assert snapshot["mta"]["hostname"] == mta["hostname"]
        assert snapshot["mta"]["outbound_ips"][0]["ipv4"] == "203.0.113.20"

        await cli(capsys, url, "clusters", "update", cluster["id"], "--max-message-rate", "1,000/day")
        second = await agent.wait_until(lambda s: s.version > first.version, AGENT_TIMEOUT_S)
        snapshot = json.loads((tmp_path / "snapshot.json").read_bytes())
        assert snapshot["cluster"]["max_message_rate"] == "1,000/day"
        assert snapshot["version"] == second.version

        async def converged() -> dict:
            while True:
                rows = (await cli(capsys, url, "fleet", "status"))["data"]
                [row] = [r for r in rows if r["mta_id"] == mta["id"]]
                if row["converged"]:
                    return row
                await asyncio.sleep(0.05)

        row = await asyncio.wait_for(converged(), AGENT_TIMEOUT_S)
        assert row["applied_version"] == row["latest_version"] == second.version


async def test_agent_is_refused_another_mtas_snapshot(shared_stack, tmp_path):
    async with aiohttp.ClientSession() as http:
        api = Api(http, shared_stack.url)
        cluster_x, cluster_y = await api.new_cluster(), await api.new_cluster()
        mta_x, token_x = await api.new_mta(cluster_x["id"])
        mta_y, _ = await api.new_mta(cluster_y["id"])
        status, body, _ = await api.call("GET", f"/mta/v1/mtas/{mta_y['id']}/snapshot", token_x)
        assert (status, body) == (404, {"message": "Not Found"})
        status, body, _ = await api.call("GET", f"/mta/v1/mtas/{mta_x['id']}/snapshot", "not-a-token")
        assert (status, body) == (401, {"message": "Unauthenticated."})


async def test_unchanged_snapshot_is_304_and_long_poll_returns_on_change(shared_stack):
    async with aiohttp.ClientSession() as http:
        api = Api(http, shared_stack.url)
        cluster = await api.new_cluster()
        mta, token = await api.new_mta(cluster["id"])
        path = f"/mta/v1/mtas/{mta['id']}/snapshot"
        for _ in range(100):
            status, body, headers = await api.call("GET", path, token)
            if status == 200:
                break
            await asyncio.sleep(0.05)
        etag = headers["ETag"]
        status, _, headers = await api.call("GET", path, token, headers={"If-None-Match": etag})
        assert status == 304 and headers["ETag"] == etag

        poll = asyncio.create_task(api.call("GET", f"{path}?wait=20", token, headers={"If-None-Match": etag}))
        await asyncio.sleep(0)  # the poll is in flight before the change is made
        await api.admin_ok("PATCH", f"/admin/v1/clusters/{cluster['id']}", {"max_message_rate": "5/s"})
        status, body, headers = await asyncio.wait_for(poll, 15)
        assert status == 200 and headers["ETag"] != etag
        assert body["cluster"]["max_message_rate"] == "5/s"


async def test_agent_keeps_its_snapshot_while_the_control_plane_is_down(shared_stack, tmp_path):
    async with aiohttp.ClientSession() as http:
        api = Api(http, shared_stack.url)
        cluster = await api.new_cluster("10/s")
        mta, token = await api.new_mta(cluster["id"])
    async with running_agent(shared_stack.url, mta["id"], token, tmp_path) as agent:
        installed = await agent.wait_until(lambda s: True, AGENT_TIMEOUT_S)
    before = (tmp_path / "snapshot.json").read_bytes()
    # A control plane that is not there: the agent fails to pull and keeps what it has.
    dead = Agent(AgentConfig(url="http://127.0.0.1:9", mta_id=mta["id"], token=token, directory=tmp_path))
    with pytest.raises(aiohttp.ClientError):
        await dead.run(once=True)
    assert (tmp_path / "snapshot.json").read_bytes() == before
    assert load_installed(tmp_path).version == installed.version
