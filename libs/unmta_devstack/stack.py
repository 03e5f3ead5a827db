"""One object for "the infrastructure this run uses": provisioned here, or given by environment."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .kafka import KafkaBroker, start_kafka
from .postgres import PostgresServer, start_postgres
from .proc import StackError

__all__ = ["DevStack", "StackError", "start_stack"]


@dataclass
class DevStack:
    database_url: str
    kafka_bootstrap: str
    _servers: list[PostgresServer | KafkaBroker] = field(default_factory=list)
    _tmp: Path | None = None

    def stop(self) -> None:
        for server in reversed(self._servers):
            with contextlib.suppress(Exception):
                server.stop()
        self._servers.clear()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> DevStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_stack(data_dir: Path | None = None, *, durable: bool = True, fixed_ports: bool = False) -> DevStack:
    """Starts what the environment doesn't already point at.

    `data_dir=None` means throwaway servers in a temp directory (tests); a directory keeps
    their data across runs (`make run`).
    """
    database_url = os.environ.get("UNMTA_DATABASE_URL")
    kafka_bootstrap = os.environ.get("UNMTA_KAFKA_BOOTSTRAP")
    tmp = None
    if data_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="unmta-stack-"))
        data_dir = tmp
    stack = DevStack(database_url or "", kafka_bootstrap or "", _tmp=tmp)
    try:
        if not database_url:
            pg = start_postgres(data_dir / "pg", 55432 if fixed_ports else None, durable=durable)
            stack._servers.append(pg)
            stack.database_url = pg.url
        if not kafka_bootstrap:
            broker = start_kafka(data_dir / "kafka", *((59092, 59093) if fixed_ports else (None, None)))
            stack._servers.append(broker)
            stack.kafka_bootstrap = broker.bootstrap
    except BaseException:
        stack.stop()
        raise
    return stack
