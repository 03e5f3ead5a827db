"""`python -m unmta_domains`: run the domains service alone."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging

from .service import DomainsConfig, run_domains


def config_from_env(infra: InfraConfig, env) -> DomainsConfig:
    key_file = env.get("UNMTA_MASTER_KEY_FILE")
    if not key_file:
        raise SystemExit("configuration error: set UNMTA_MASTER_KEY_FILE (32 random bytes, base64)")
    nameservers = [s.strip() for s in env.get("UNMTA_DNS_NAMESERVERS", "").split(",") if s.strip()]
    return DomainsConfig(infra=infra, master_key_file=Path(key_file), dns_nameservers=nameservers)


async def _serve(config: DomainsConfig) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with run_domains(config):
        await stop.wait()


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    asyncio.run(_serve(config_from_env(infra, os.environ)))


if __name__ == "__main__":
    main()
