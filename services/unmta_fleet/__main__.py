"""`python -m unmta_fleet`: run the fleet service alone."""

from __future__ import annotations

import asyncio
import os
import signal

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging

from .service import FleetConfig, run_fleet


async def _serve(config: FleetConfig) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with run_fleet(config):
        await stop.wait()


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    config = FleetConfig(infra=infra, base_domain=os.environ.get("UNMTA_BASE_DOMAIN", "unmta.net"))
    asyncio.run(_serve(config))


if __name__ == "__main__":
    main()
