"""`python -m unmta_botsigs`: run the botsigs service alone."""

from __future__ import annotations

import asyncio
import os

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging
from unmta_common.tasks import serve_until_signalled

from .service import run_botsigs


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    asyncio.run(serve_until_signalled(run_botsigs(infra)))


if __name__ == "__main__":
    main()
