"""`python -m unmta_domains`: run the domains service alone."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging
from unmta_common.tasks import serve_until_signalled

from .service import DomainsConfig, run_domains


def config_from_env(infra: InfraConfig, env) -> DomainsConfig:
    key_file = env.get("UNMTA_MASTER_KEY_FILE")
    if not key_file:
        raise SystemExit("configuration error: set UNMTA_MASTER_KEY_FILE (32 random bytes, base64)")
    nameservers = [s.strip() for s in env.get("UNMTA_DNS_NAMESERVERS", "").split(",") if s.strip()]
    return DomainsConfig(infra=infra, master_key_file=Path(key_file), dns_nameservers=nameservers)


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    asyncio.run(serve_until_signalled(run_domains(config_from_env(infra, os.environ))))


if __name__ == "__main__":
    main()
