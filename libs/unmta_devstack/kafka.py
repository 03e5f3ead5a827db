"""An Apache Kafka 4.x broker in KRaft mode (single node), jars from Maven Central."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .proc import StackError, apt_install, free_port, spawn, stop, wait_for_port

KAFKA_VERSION = "4.1.1"

_LOG4J = """Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
"""


def cache_root() -> Path:
    return Path(os.environ.get("UNMTA_CACHE_DIR") or Path.home() / ".cache" / "unmta")


def _ensure_tools() -> None:
    missing = []
    if shutil.which("java") is None:
        missing.append("openjdk-17-jre-headless")
    if shutil.which("mvn") is None:
        missing.append("maven")
    if missing:
        apt_install(*missing)


def ensure_jars() -> Path:
    """Resolves the broker's jars once; later runs find them in the cache."""
    libs = cache_root() / f"kafka-{KAFKA_VERSION}" / "libs"
    marker = libs.parent / ".complete"
    if marker.exists():
        return libs
    _ensure_tools()
    pom = resources.files("unmta_devstack").joinpath("kafka-pom.xml")
    with resources.as_file(pom) as pom_path:
        result = subprocess.run(
            ["mvn", "-q", "-B", "-f", str(pom_path), "dependency:copy-dependencies",
             f"-Dkafka.version={KAFKA_VERSION}", f"-DoutputDirectory={libs}", "-DincludeScope=runtime"],
            capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-2000:]
        raise StackError(f"mvn could not resolve Kafka {KAFKA_VERSION}:\n{output}")
    marker.write_text(KAFKA_VERSION)
    return libs


@dataclass
class KafkaBroker:
    bootstrap: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        stop(self.process, timeout=30)


def _properties(data_dir: Path, port: int, controller_port: int) -> str:
    return f"""process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs={data_dir / "log"}
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
"""


def start_kafka(data_dir: Path, port: int | None = None, controller_port: int | None = None) -> KafkaBroker:
    libs = ensure_jars()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    controller_port = controller_port or free_port()
    props = data_dir / "server.properties"
    props.write_text(_properties(data_dir, port, controller_port))
    log4j = data_dir / "log4j2.yaml"
    log4j.write_text(_LOG4J)
    classpath = f"{libs}/*"
    java = ["java", "-Xms256m", "-Xmx768m", f"-Dlog4j2.configurationFile={log4j}", "-cp", classpath]
    if not (data_dir / "log" / "meta.properties").exists():
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # `--cluster-id=` form: a base64url id may start with "-", which would read as an option.
        fmt = subprocess.run([*java, "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                              "--config", str(props)],
                             capture_output=True, text=True, check=False)
        if fmt.returncode != 0:
            raise StackError(f"kafka storage format failed:\n{fmt.stdout}{fmt.stderr}")
    log_path = data_dir / "broker.log"
    proc = spawn([*java, "kafka.Kafka", str(props)], log_path=log_path)
    wait_for_port(port, proc, log_path, timeout=90)
    bootstrap = f"127.0.0.1:{port}"
    _wait_ready(bootstrap, proc, log_path)
    return KafkaBroker(bootstrap, proc, log_path)


def _wait_ready(bootstrap: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    """The port opens before the controller has elected itself: wait until metadata answers."""
    from aiokafka.admin import AIOKafkaAdminClient

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.describe_cluster()
            return True
        except Exception:  # noqa: BLE001 - any failure means "not ready yet"
            return False
        finally:
            await admin.close()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"Kafka exited with {proc.returncode}; see {log_path}")
        if asyncio.run(probe()):
            return
        time.sleep(0.2)
    raise StackError(f"Kafka not ready after {timeout:.0f}s; see {log_path}")
