"""`python -m unmta_configsync`: the projector and the MTA pull API (default port 8081)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging

from .pull import add_pull_routes
from .service import run_configsync


def create_app(infra: InfraConfig, master_key_file: Path) -> web.Application:
    app = web.Application()
    add_pull_routes(app)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with run_configsync(infra, master_key_file) as running:
            running.bind(app)
            yield

    app.cleanup_ctx.append(lifecycle)
    return app


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    key_file = os.environ.get("UNMTA_MASTER_KEY_FILE")
    if not key_file:
        raise SystemExit("configuration error: set UNMTA_MASTER_KEY_FILE (the key that wraps DKIM data keys)")
    web.run_app(create_app(infra, Path(key_file)), host=os.environ.get("UNMTA_HTTP_HOST", "127.0.0.1"),
                port=int(os.environ.get("UNMTA_HTTP_PORT", "8081")), access_log=None, print=None)


if __name__ == "__main__":
    main()
