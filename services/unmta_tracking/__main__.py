"""`python -m unmta_tracking`: run the tracking service alone."""

from __future__ import annotations

import asyncio
import os

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging
from unmta_common.tasks import serve_until_signalled

from .service import TrackingConfig, run_tracking


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    nameservers = [s.strip() for s in os.environ.get("UNMTA_DNS_NAMESERVERS", "").split(",") if s.strip()]
    config = TrackingConfig(infra=infra, base_domain=os.environ.get("UNMTA_BASE_DOMAIN", "unmta.net"),
                            dns_nameservers=nameservers)
    asyncio.run(serve_until_signalled(run_tracking(config)))


if __name__ == "__main__":
    main()
