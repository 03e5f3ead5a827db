"""A PostgreSQL server from the system packages, run as a child process."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .proc import StackError, apt_install, free_port, is_root, spawn, stop, wait_for_port

_SERVER_USER = "unmta"


def _bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _version_key(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def ensure_installed() -> Path:
    bin_dir = _bin_dir()
    if bin_dir is None:
        apt_install("postgresql")
        bin_dir = _bin_dir()
    if bin_dir is None:
        raise StackError("PostgreSQL server binaries not found after installing package 'postgresql'")
    return bin_dir


def _os_user() -> str | None:
    """Postgres refuses to run as root: as root we run it as the package's 'postgres' user."""
    if not is_root():
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return "postgres"


@dataclass
class PostgresServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        # SIGINT is Postgres' "fast" shutdown: rolls back open sessions, exits cleanly.
        stop(self.process, signal.SIGINT)


def start_postgres(data_dir: Path, port: int | None = None, *, durable: bool = True) -> PostgresServer:
    bin_dir = ensure_installed()
    user = _os_user()
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_dir = data_dir / "sock"
    log_path = data_dir.parent / f"{data_dir.name}.log"
    if user:
        pw = pwd.getpwnam(user)
        for path in (data_dir.parent, data_dir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
        log_path.touch()
        os.chown(log_path, pw.pw_uid, pw.pw_gid)
    if not (data_dir / "PG_VERSION").exists():
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", _SERVER_USER, "--auth=trust",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, user=user, group=user, extra_groups=[] if user else None,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
    socket_dir.mkdir(exist_ok=True)
    if user:
        os.chown(socket_dir, pw.pw_uid, pw.pw_gid)
    port = port or free_port()
    settings = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300",
                "-c", "shared_buffers=128MB"]
    if not durable:
        # Throwaway test servers: skip the disk flushes that only protect against power loss.
        settings += ["-c", "fsync=off", "-c", "full_page_writes=off"]
    proc = spawn(
        [str(bin_dir / "postgres"), "-D", str(data_dir), "-p", str(port), "-k", str(socket_dir), *settings],
        log_path=log_path, death_signal=signal.SIGINT, user=user,
    )
    wait_for_port(port, proc, log_path, timeout=60)
    _wait_accepting(bin_dir, port, proc, log_path)
    return PostgresServer(f"postgresql://{_SERVER_USER}@127.0.0.1:{port}/postgres", proc, log_path)


def _wait_accepting(bin_dir: Path, port: int, proc: subprocess.Popen, log_path: Path) -> None:
    for _ in range(300):
        ready = subprocess.run(
            [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        if proc.poll() is not None:
            break
        subprocess.run(["sleep", "0.1"], check=False)
    raise StackError(f"Postgres did not accept connections; see {log_path}")
