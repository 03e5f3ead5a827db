"""Long-running background tasks that restart after a crash instead of dying silently."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

log = logging.getLogger(__name__)


async def keep_running(name: str, run: Callable[[], Awaitable[None]]) -> None:
    backoff = 0.2
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background task crashed; restarting", extra={"task": name, "retry_in_s": backoff})
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)


@contextlib.asynccontextmanager
async def background(**runs: Callable[[], Awaitable[None]]) -> AsyncIterator[list[asyncio.Task]]:
    tasks = [asyncio.create_task(keep_running(name, run), name=name) for name, run in runs.items()]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def serve_until_signalled(service: contextlib.AbstractAsyncContextManager) -> None:
    """Runs a service (an async context manager) until SIGINT or SIGTERM, then closes it cleanly."""
    import signal

    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with service:
        await stop.wait()
