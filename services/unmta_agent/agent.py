"""The MTA-side agent loop.

- long-polls its own snapshot (`If-None-Match` + `wait=`), so a change arrives at once;
- verifies the content hash, never installs a version older than the one it has;
- writes `snapshot.json` atomically (temp file, fsync, rename), so the MTA never reads half a file;
- keeps the last good snapshot while the control plane is unreachable, and reports what it applied.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import msgspec

log = logging.getLogger("unmta.agent")

SNAPSHOT_FILE = "snapshot.json"
ARTIFACTS_DIR = "artifacts"
_sorted = msgspec.json.Encoder(order="sorted")


class AgentConfig(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    mta_id: str
    token: str
    directory: Path
    wait_s: float = 30.0
    max_backoff_s: float = 15.0


class SnapshotRejected(Exception):
    pass


@dataclass
class Installed:
    version: int
    etag: str


def etag_of(snapshot: dict) -> str:
    return f'"{snapshot["version"]}-{snapshot["content_hash"][:16]}"'


# Not covered by the content hash: the version, the hash itself, and the private keys added at serve time
# (each checked against its domain's public key instead).
_UNHASHED = ("version", "content_hash", "dkim_private_keys")


def verify(body: bytes) -> dict:
    """Decodes a snapshot and checks its content hash and keys; raises SnapshotRejected."""
    try:
        snapshot = json.loads(body)
        version, content_hash = snapshot["version"], snapshot["content_hash"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotRejected(f"malformed snapshot: {exc}") from exc
    content = {k: v for k, v in snapshot.items() if k not in _UNHASHED}
    if hashlib.sha256(_sorted.encode(content)).hexdigest() != content_hash:
        raise SnapshotRejected(f"content hash mismatch in version {version}")
    _check_private_keys(snapshot)
    return snapshot


def _check_private_keys(snapshot: dict) -> None:
    from unmta_domains.dkim import public_key_of_pem

    keys = snapshot.get("dkim_private_keys") or {}
    for domain in snapshot.get("domains") or []:
        pem = keys.get(domain["key_id"])
        if pem is None:
            log.warning("no signing key for a domain (deleted meanwhile?)", extra={"domain": domain["name"]})
            continue
        try:
            matches = public_key_of_pem(pem) == domain["public_key"]
        except (ValueError, TypeError) as exc:
            raise SnapshotRejected(f"unreadable DKIM key for {domain['name']}") from exc
        if not matches:
            raise SnapshotRejected(f"DKIM key for {domain['name']} does not match its public key")


def write_atomically(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{name}.tmp-{os.getpid()}"
    # Owner-only: the snapshot carries DKIM private keys.
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, directory / name)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def load_installed(directory: Path) -> Installed | None:
    try:
        snapshot = verify((directory / SNAPSHOT_FILE).read_bytes())
    except (OSError, SnapshotRejected):
        return None
    return Installed(snapshot["version"], etag_of(snapshot))


class Agent:
    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.installed = load_installed(config.directory)
        self._unreported: dict | None = None
        self._changed = asyncio.Event()

    @property
    def _base(self) -> str:
        return f"{self.config.url.rstrip('/')}/mta/v1/mtas/{self.config.mta_id}"

    async def run(self, once: bool = False) -> None:
        timeout = aiohttp.ClientTimeout(total=self.config.wait_s + 15, connect=5)
        headers = {"Authorization": f"Bearer {self.config.token}"}
        backoff = 0.5
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as http:
            while True:
                try:
                    await self.pull_once(http, wait=0 if once else self.config.wait_s)
                    backoff = 0.5
                except (aiohttp.ClientError, TimeoutError) as exc:
                    held = self.installed.version if self.installed else "none"
                    log.warning("control plane unreachable; keeping the installed snapshot",
                                extra={"error": repr(exc), "installed_version": held, "retry_in_s": backoff})
                    if once:
                        raise
                    await asyncio.sleep(backoff * random.uniform(0.8, 1.2))
                    backoff = min(backoff * 2, self.config.max_backoff_s)
                if once:
                    return

    async def pull_once(self, http: aiohttp.ClientSession, wait: float) -> None:
        await self._report_pending(http)
        headers = {"If-None-Match": self.installed.etag} if self.installed else {}
        async with http.get(f"{self._base}/snapshot", params={"wait": str(wait)}, headers=headers) as response:
            if response.status == 304:
                return
            if response.status != 200:
                text = (await response.text())[:200]
                log.error("snapshot pull refused", extra={"status": response.status, "body": text})
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status, message=text)
            body = await response.read()
        await self._fetch_artifacts(http, body)
        self._install(body)
        await self._report_pending(http)

    async def _fetch_artifacts(self, http: aiohttp.ClientSession, body: bytes) -> None:
        """Fetches the compiled artifacts a snapshot references, before it is installed, so the MTA
        never holds a snapshot whose matcher it cannot build. Artifacts are immutable: fetched once."""
        try:
            sha = json.loads(body)["bot_signatures"]["defaults"]["sha256"]
        except (ValueError, KeyError, TypeError):
            return
        path = self.config.directory / ARTIFACTS_DIR / f"{sha}.json"
        if path.exists():
            return
        async with http.get(f"{self.config.url.rstrip('/')}/mta/v1/artifacts/{sha}") as response:
            if response.status != 200:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status,
                                                  message="artifact not available")
            artifact = await response.read()
        if hashlib.sha256(artifact).hexdigest() != sha:
            raise aiohttp.ClientPayloadError(f"artifact {sha} does not match its hash")
        write_atomically(path.parent, path.name, artifact)

    def _install(self, body: bytes) -> None:
        try:
            snapshot = verify(body)
        except SnapshotRejected as exc:
            log.error("snapshot rejected", extra={"error": str(exc)})
            self._unreported = {"status": "failed", "error": str(exc)}
            return
        if self.installed and snapshot["version"] < self.installed.version:
            log.warning("refusing an older snapshot", extra={"offered": snapshot["version"],
                                                             "installed": self.installed.version})
            return
        write_atomically(self.config.directory, SNAPSHOT_FILE, body)
        self.installed = Installed(snapshot["version"], etag_of(snapshot))
        self._unreported = {"status": "applied", "version": self.installed.version, "etag": self.installed.etag}
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        log.info("snapshot installed", extra={"version": self.installed.version, "etag": self.installed.etag})

    async def wait_until(self, predicate, timeout: float) -> Installed:
        """Waits until the installed snapshot satisfies `predicate` (for tools and tests)."""
        async with asyncio.timeout(timeout):
            while True:
                changed = self._changed
                if self.installed is not None and predicate(self.installed):
                    return self.installed
                await changed.wait()

    async def _report_pending(self, http: aiohttp.ClientSession) -> None:
        if self._unreported is None:
            return
        async with http.post(f"{self._base}/status", json=self._unreported) as response:
            if response.status == 204:
                self._unreported = None
