"""`python -m unmta_fleet`: run the fleet service alone."""

from __future__ import annotations

import asyncio
import os

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging
from unmta_common.tasks import serve_until_signalled

from .service import FleetConfig, run_fleet


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    config = FleetConfig(infra=infra, base_domain=os.environ.get("UNMTA_BASE_DOMAIN", "unmta.net"))
    asyncio.run(serve_until_signalled(run_fleet(config)))


if __name__ == "__main__":
    main()
