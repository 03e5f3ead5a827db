"""`make run`: provision Postgres and Kafka (unless configured), then run every service.

Data lives in UNMTA_DATA_DIR (default /var/tmp/unmta/<checkout>), so clusters and events survive a
restart. A generated admin token is kept there too, so the CLI's token stays valid.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import secrets
import sys
from pathlib import Path

from unmta_common.crypto import MasterKey
from unmta_common.logs import setup_logging
from unmta_devstack import StackError, start_stack

from .main import _serve
from .stack import StackConfig


def default_data_dir() -> Path:
    checkout = hashlib.sha256(str(Path.cwd().resolve()).encode()).hexdigest()[:8]
    return Path("/var/tmp/unmta") / checkout


def _admin_token(data_dir: Path) -> str:
    path = data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(token)
    return token


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="make run",
        description="Provision a local Postgres and Kafka (unless UNMTA_DATABASE_URL / UNMTA_KAFKA_BOOTSTRAP "
                    "are set) and run the whole control plane. Ctrl-C stops everything.")
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("UNMTA_DATA_DIR") or default_data_dir()))
    args = parser.parse_args(argv)
    setup_logging(os.environ.get("UNMTA_LOG_LEVEL", "INFO"))
    log = logging.getLogger("unmta.run")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    print(f"Provisioning Postgres and Kafka in {args.data_dir} (first run downloads Kafka's jars)...",
          file=sys.stderr, flush=True)
    try:
        servers = start_stack(args.data_dir, durable=True, fixed_ports=True)
    except StackError as exc:
        raise SystemExit(f"error: {exc}") from None
    with servers:
        env = dict(os.environ, UNMTA_DATABASE_URL=servers.database_url,
                   UNMTA_KAFKA_BOOTSTRAP=servers.kafka_bootstrap)
        env.setdefault("UNMTA_ADMIN_TOKEN", _admin_token(args.data_dir))
        if not env.get("UNMTA_MASTER_KEY_FILE"):
            MasterKey.load_or_create(args.data_dir / "master.key")
            env["UNMTA_MASTER_KEY_FILE"] = str(args.data_dir / "master.key")
        config, _ = StackConfig.from_env(env)
        log.info("infrastructure ready", extra={"database": servers.database_url, "kafka": servers.kafka_bootstrap})
        try:
            asyncio.run(_serve(config, show_token=True))
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
