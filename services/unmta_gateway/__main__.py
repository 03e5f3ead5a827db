"""`python -m unmta_gateway`: the gateway alone (fleet and configsync run elsewhere)."""

from __future__ import annotations

import os
import secrets
import sys

from aiohttp import web

from unmta_common.config import InfraConfig
from unmta_common.logs import setup_logging

from .app import create_app
from .context import GatewayConfig


def main() -> None:
    infra = InfraConfig.from_env(os.environ)
    setup_logging(infra.log_level)
    token = os.environ.get("UNMTA_ADMIN_TOKEN") or ""
    if not token:
        token = secrets.token_urlsafe(32)
        print(f"Admin token (generated; set UNMTA_ADMIN_TOKEN to choose one): {token}", file=sys.stderr)
    config = GatewayConfig(infra=infra, http_host=os.environ.get("UNMTA_HTTP_HOST", "127.0.0.1"),
                           http_port=int(os.environ.get("UNMTA_HTTP_PORT", "8080")), admin_token=token,
                           base_domain=os.environ.get("UNMTA_BASE_DOMAIN", "unmta.net"))
    web.run_app(create_app(config), host=config.http_host, port=config.http_port, access_log=None,
                print=None)


if __name__ == "__main__":
    main()
