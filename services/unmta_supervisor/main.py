"""`unmta-server`: every service in one process. Configuration comes from the environment."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from unmta_common.logs import setup_logging

from .stack import StackConfig, run_stack

log = logging.getLogger("unmta.server")


async def _serve(config: StackConfig, show_token: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with run_stack(config) as stack:
        log.info("serving", extra={"url": stack.url})
        print(f"\nunMTA control plane is up: {stack.url}/api/v1  (health: {stack.url}/health)", file=sys.stderr)
        if show_token:
            print(f"Admin token (generated; set UNMTA_ADMIN_TOKEN to choose one):\n"
                  f"  export UNMTA_ADMIN_TOKEN={config.admin_token}", file=sys.stderr)
        print(f"  export UNMTA_URL={stack.url}\nThen: unmta clusters create --region us-dal-1; "
              f"unmta users create --email you@example.com; unmta tokens generate --email you@example.com\n",
              file=sys.stderr, flush=True)
        await stop.wait()
        log.info("stopping")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="unmta-server",
        description="Run every unMTA control-plane service (gateway, fleet, domains, credentials, "
                    "tracking, botsigs, configsync) in one process. Needs UNMTA_DATABASE_URL, "
                    "UNMTA_KAFKA_BOOTSTRAP and UNMTA_MASTER_KEY_FILE; `make run` provides all three.")
    parser.parse_args(argv)
    config, generated = StackConfig.from_env(os.environ)
    setup_logging(config.infra.log_level)
    asyncio.run(_serve(config, generated))


if __name__ == "__main__":
    main()
