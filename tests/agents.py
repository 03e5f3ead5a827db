"""Running an agent in a test, and waiting for the snapshot it installs to say something."""

from __future__ import annotations

import asyncio
import contextlib
import json

from unmta_agent.agent import Agent, AgentConfig

TIMEOUT_S = 15


@contextlib.asynccontextmanager
async def running_agent(url: str, mta_id: str, token: str, directory):
    agent = Agent(AgentConfig(url=url, mta_id=mta_id, token=token, directory=directory, wait_s=20,
                              max_backoff_s=0.5))
    task = asyncio.create_task(agent.run())
    try:
        yield agent
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def snapshot_with(agent: Agent, directory, predicate) -> dict:
    """The installed snapshot, once `predicate(snapshot)` holds (waiting for newer versions)."""
    await agent.wait_until(lambda s: True, TIMEOUT_S)
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            installed = agent.installed
            snapshot = json.loads((directory / "snapshot.json").read_bytes())
            if predicate(snapshot):
                return snapshot
            await agent.wait_until(lambda s, v=installed.version: s.version > v, TIMEOUT_S)
