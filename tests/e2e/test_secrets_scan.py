"""Planted secrets (API token, MTA token, DKIM private key) never reach Kafka, Postgres or logs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import logging
import uuid

import aiohttp
import asyncpg
from aiokafka import AIOKafkaConsumer
from cryptography.hazmat.primitives import serialization

from tests.agents import running_agent, snapshot_with
from tests.api import Api
from unmta_common.consumer import assigned_partitions
from unmta_common.logs import JsonFormatter


def needles(secret: bytes) -> list[bytes]:
    """The forms a leaked secret could take in a topic, a table (bytea as hex) or a log line."""
    return [secret, secret.hex().encode(), base64.b64encode(secret)]


def dkim_needles(pem: str) -> list[bytes]:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    pem_body = "".join(pem.strip().splitlines()[1:-1])
    # Distinctive slices: any copy of the key, whole or in part, contains them.
    return [pem_body[200:260].encode(), *needles(der[300:340]),
            *needles(key.private_numbers().d.to_bytes(256, "big")[:40])]


async def kafka_dump(bootstrap: str, namespace: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        topics = [t for t in await consumer.topics() if t.startswith(f"{namespace}.")]
        partitions = await assigned_partitions(consumer, topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []
        remaining = {tp: end for tp, end in ends.items() if end > 0}
        async with asyncio.timeout(20):
            while remaining:
                for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                    for r in records:
                        values.append((r.key or b"") + b"\0" + (r.value or b""))
                        values.extend(v for _, v in r.headers)
                        if r.offset + 1 >= remaining.get(tp, 0):
                            remaining.pop(tp, None)
        assert len(topics) >= 6 and values
        return values
    finally:
        await consumer.stop()


async def postgres_dump(url: str, namespace: str) -> list[bytes]:
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch("SELECT table_schema, table_name FROM information_schema.tables"
                                  " WHERE table_schema LIKE $1", f"{namespace}\\_%")
        rows = []
        for t in tables:
            rows += [r[0].encode() for r in await conn.fetch(
                f'SELECT t::text FROM "{t["table_schema"]}"."{t["table_name"]}" t')]
        assert len(tables) >= 15 and rows
        return rows
    finally:
        await conn.close()


async def test_planted_secrets_appear_in_no_topic_table_or_log(fresh_stack, infra, dns_server, tmp_path):
    log_text = io.StringIO()
    handler = logging.StreamHandler(log_text)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        async with aiohttp.ClientSession() as http:
            api = Api(http, fresh_stack.url)
            cluster = (await api.new_cluster("5/s"))["id"]
            mta, mta_token = await api.new_mta(cluster)
            api_token = await api.new_user(f"scan-{uuid.uuid4().hex[:6]}@example.com", [cluster])
            name = f"scan{uuid.uuid4().hex[:8]}.com"
            _, created, _ = await api.call("POST", f"/api/v1/clusters/{cluster}/domains", api_token,
                                           json={"name": name})
            dns_server.set_txt(f"unmta._domainkey.{name}", created["data"]["dns_records"]["dkim"]["value"])
            await api.call("POST", f"/api/v1/clusters/{cluster}/domains/{name}/verify", api_token)
            _, credential, _ = await api.call("POST", f"/api/v1/clusters/{cluster}/credentials", api_token,
                                              json={"user": "scan", "allow_all_domains": True})
            smtp_password = credential["password"]
            async with running_agent(fresh_stack.url, mta["id"], mta_token, tmp_path) as agent:
                await snapshot_with(agent, tmp_path, lambda s: "dkim_private_keys" in s and s["credentials"])
        private_pem = next(iter(json.loads((tmp_path / "snapshot.json").read_text())["dkim_private_keys"].values()))
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)

    planted = {
        "api token": needles(api_token.encode()),
        "mta token": needles(mta_token.encode()),
        "smtp password": needles(smtp_password.encode()),
        "dkim private key": dkim_needles(private_pem),
    }
    haystacks = {
        "kafka": await kafka_dump(infra.kafka_bootstrap, infra.namespace),
        "postgres": await postgres_dump(infra.database_url, infra.namespace),
        "logs": [log_text.getvalue().encode()],
    }
    # Positive controls: what may be stored is found, so the scan can see what it looks for.
    digest = hashlib.sha256(api_token.encode()).hexdigest().encode()
    assert any(digest in row for row in haystacks["postgres"])
    public_key = created["data"]["dkim_public_key"].encode()
    assert any(public_key in value for value in haystacks["kafka"])
    assert b"snapshot installed" in haystacks["logs"][0]
    assert any(form in row for form in needles(b"$argon2id$v=19$") for row in haystacks["postgres"])
    leaks = [(secret, where) for secret, forms in planted.items() for where, items in haystacks.items()
             if any(form in item for form in forms for item in items)]
    assert leaks == []
