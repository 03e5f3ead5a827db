"""`make bench`: writes bench-results/*.json and prints a table.

Propagation: a committed change (a cluster's rate limit, via the admin API) until a long-polling
agent has the new snapshot installed on disk. Next to it, measured in the same run on the same
(durable: fsync on) servers: a raw Kafka produce->consume round trip with the producer settings
we use (acks=all, idempotent), and a raw Postgres commit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.conftest import wait_healthy
from unmta_agent.agent import Agent, AgentConfig
from unmta_common.config import InfraConfig
from unmta_common.crypto import MasterKey
from unmta_common.kafka import TopicSpec, ensure_topics, running_producer
from unmta_devstack import start_stack
from unmta_supervisor.stack import StackConfig, run_stack

ADMIN = "bench-admin-token"


def summary(samples_s: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"n": len(ms), "p50_ms": round(q[49], 3), "p99_ms": round(q[98], 3), "max_ms": round(ms[-1], 3),
            "mean_ms": round(statistics.fmean(ms), 3)}


async def postgres_commit(url: str, n: int) -> dict:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_commit (id bigserial, v text)")
        await conn.execute("CREATE TABLE IF NOT EXISTS public.bench_commit (id bigserial, v text)")
        samples = []
        for i in range(n):
            start = time.perf_counter()
            await conn.execute("INSERT INTO public.bench_commit (v) VALUES ($1)", str(i))
            samples.append(time.perf_counter() - start)
        return summary(samples)
    finally:
        await conn.execute("DROP TABLE IF EXISTS public.bench_commit")
        await conn.close()


async def kafka_round_trip(bootstrap: str, n: int) -> dict:
    topic = f"bench.rtt.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [TopicSpec(topic, 1, keep_forever=False)])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, fetch_max_wait_ms=0,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_end(tp)
        async with running_producer(bootstrap) as producer:
            samples = []
            for i in range(n):
                start = time.perf_counter()
                await producer.send_and_wait(topic, str(i).encode(), key=b"k")
                while True:
                    record = await consumer.getone()
                    if record.value == str(i).encode():
                        break
                samples.append(time.perf_counter() - start)
        return summary(samples)
    finally:
        await consumer.stop()


async def propagation(infra: InfraConfig, n: int, key_file: Path) -> dict:
    config = StackConfig(infra=infra, http_port=0, admin_token=ADMIN, master_key_file=key_file)
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with run_stack(config) as stack, aiohttp.ClientSession(headers=headers) as http:
        await wait_healthy(stack.url, 60)
        async with http.post(f"{stack.url}/admin/v1/clusters", json={"region": "bench-1"}) as r:
            cluster = (await r.json())["data"]["id"]
        async with http.post(f"{stack.url}/admin/v1/clusters/{cluster}/mtas", json={"primary_ipv4": "192.0.2.1"}) as r:
            created = await r.json()
        with tempfile.TemporaryDirectory() as directory:
            agent = Agent(AgentConfig(url=stack.url, mta_id=created["data"]["id"], token=created["token"],
                                      directory=Path(directory), wait_s=30))
            task = asyncio.create_task(agent.run())
            try:
                installed = await agent.wait_until(lambda s: True, 30)
                after_2xx, end_to_end, api = [], [], []
                for i in range(n):
                    sent = time.perf_counter()
                    async with http.patch(f"{stack.url}/admin/v1/clusters/{cluster}",
                                          json={"max_message_rate": f"{i + 1}/s"}) as r:
                        assert r.status == 200, await r.text()
                    answered = time.perf_counter()
                    installed = await agent.wait_until(lambda s, v=installed.version: s.version > v, 30)
                    done = time.perf_counter()
                    api.append(answered - sent)
                    after_2xx.append(done - answered)
                    end_to_end.append(done - sent)
            finally:
                task.cancel()
    return {"api_2xx": summary(api), "after_2xx_to_agent": summary(after_2xx),
            "request_to_agent": summary(end_to_end)}


async def domain_creates(infra: InfraConfig, key_file: Path, n: int, pool_size: int) -> dict:
    """`n` sequential domain creates; with `pool_size` >= n every key is pre-generated."""
    config = StackConfig(infra=msgspec.structs.replace(infra, namespace=f"{infra.namespace}p{pool_size}"),
                         http_port=0, admin_token=ADMIN, master_key_file=key_file, key_pool_size=pool_size)
    async with run_stack(config) as stack, aiohttp.ClientSession() as http:
        await wait_healthy(stack.url, 60)
        pooled = f"SELECT count(*) FROM {stack.domains.schema}.key_pool"
        async with asyncio.timeout(300):  # a full pool: no key generated on the request's path
            while await stack.domains.pool.fetchval(pooled) < pool_size:  # noqa: ASYNC110 - a table, not an event
                await asyncio.sleep(0.2)
        user, cluster = await _tenant(http, stack.url)
        samples = []
        for i in range(n):
            start = time.perf_counter()
            async with http.post(f"{stack.url}/api/v1/clusters/{cluster}/domains", json={"name": f"d{i}.bench.com"},
                                 headers=user) as r:
                assert r.status == 201, await r.text()
            samples.append(time.perf_counter() - start)
    return summary(samples)


async def credential_creates(infra: InfraConfig, key_file: Path, n: int) -> dict:
    """`n` sequential credential creates (each mints a password and hashes it with argon2id)."""
    config = StackConfig(infra=msgspec.structs.replace(infra, namespace=f"{infra.namespace}cred"), http_port=0,
                         admin_token=ADMIN, master_key_file=key_file)
    async with run_stack(config) as stack, aiohttp.ClientSession() as http:
        await wait_healthy(stack.url, 60)
        user, cluster = await _tenant(http, stack.url)
        samples = []
        for i in range(n):
            start = time.perf_counter()
            async with http.post(f"{stack.url}/api/v1/clusters/{cluster}/credentials", headers=user,
                                 json={"user": f"app-{i}", "allow_all_domains": True}) as r:
                assert r.status == 201, await r.text()
            samples.append(time.perf_counter() - start)
    return summary(samples)


def argon2_hash_alone(n: int) -> dict:
    from unmta_credentials.passwords import hash_password, new_password

    samples = []
    for _ in range(n):
        password = new_password()
        start = time.perf_counter()
        hash_password(password)
        samples.append(time.perf_counter() - start)
    return summary(samples)


async def _tenant(http: aiohttp.ClientSession, url: str) -> tuple[dict, str]:
    """A cluster and the headers of a user who may use it."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    async with http.post(f"{url}/admin/v1/clusters", json={"region": "bench-1"}, headers=admin) as r:
        cluster = (await r.json())["data"]["id"]
    email = f"bench-{uuid.uuid4().hex[:6]}@example.com"
    await http.post(f"{url}/admin/v1/users", json={"email": email}, headers=admin)
    await http.post(f"{url}/admin/v1/users/{email}/grants", json={"cluster": cluster}, headers=admin)
    async with http.post(f"{url}/admin/v1/users/{email}/token", headers=admin) as r:
        return {"Authorization": f"Bearer {(await r.json())['token']}"}, cluster


def bot_matching(calls: int = 20_000) -> dict:
    """The matcher against a naive loop over the same signatures, and the catalogue's compile time."""
    import ipaddress
    import json
    import random
    from importlib import resources

    from unmta_botsigs.catalogue import load_catalogue
    from unmta_botsigs.matcher import Matcher, compile_artifact

    catalogue = load_catalogue()
    signatures = catalogue.as_signatures(catalogue.default_enabled())
    compile_ms = []
    for _ in range(5):
        start = time.perf_counter()
        artifact = compile_artifact(signatures)
        compile_ms.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    matcher = Matcher(artifact)
    load_ms = (time.perf_counter() - start) * 1000
    browsers = [json.loads(line)["useragent"] for line in
                resources.files("fake_useragent").joinpath("data/browsers.jsonl").read_text().splitlines() if line]
    rng = random.Random(7)
    bots = ["Mozilla/5.0 (compatible; GPTBot/1.2)", "YahooMailProxy", "Mozilla/5.0 GoogleImageProxy"]
    requests = [(rng.choice(browsers + bots) + f" r{i}", f"{rng.randrange(1, 223)}.{rng.randrange(256)}."
                 f"{rng.randrange(256)}.{rng.randrange(256)}") for i in range(calls)]  # unique UAs: no cache hits

    start = time.perf_counter()
    for ua, ip in requests:
        matcher.classify(ua, ip)
    matcher_us = (time.perf_counter() - start) / calls * 1e6
    cached = requests[:500] * (calls // 500)
    start = time.perf_counter()
    for ua, ip in cached:
        matcher.classify(ua, ip)
    cached_us = (time.perf_counter() - start) / len(cached) * 1e6

    uas = [s.pattern.lower() for s in signatures if s.type == "user_agent"]
    exact = {s.pattern for s in signatures if s.type == "ip_exact"}
    nets = [ipaddress.ip_network(s.pattern) for s in signatures if s.type == "ip_cidr"]

    def naive(ua: str, ip: str):
        low = ua.lower()
        for p in uas:
            if (low.startswith(p[1:]) if p.startswith("^") else p in low):
                return p
        if ip in exact:
            return ip
        address = ipaddress.ip_address(ip)
        return next((n for n in nets if address in n), None)

    sample = requests[:300]
    start = time.perf_counter()
    for ua, ip in sample:
        naive(ua, ip)
    naive_us = (time.perf_counter() - start) / len(sample) * 1e6
    return {"signatures": len(signatures), "compile_ms": round(min(compile_ms), 2), "load_ms": round(load_ms, 2),
            "matcher_us_per_call_uncached": round(matcher_us, 2), "matcher_us_per_call_cached": round(cached_us, 2),
            "naive_us_per_call": round(naive_us, 1), "classifications_per_s": round(1e6 / matcher_us),
            "naive_over_matcher": round(naive_us / matcher_us, 1)}


async def run(n: int, infra: InfraConfig, creates: int) -> dict:
    key_file = Path(tempfile.mkdtemp(prefix="unmta-bench-")) / "master.key"
    MasterKey.load_or_create(key_file)
    return {
        "postgres_commit": await postgres_commit(infra.database_url, n),
        "kafka_round_trip": await kafka_round_trip(infra.kafka_bootstrap, n),
        **await propagation(infra, n, key_file),
        "domain_create_key_pool": await domain_creates(infra, key_file, creates, pool_size=creates + 5),
        "domain_create_no_pool": await domain_creates(infra, key_file, creates, pool_size=0),
        "credential_create": await credential_creates(infra, key_file, creates),
        "argon2id_hash_alone": argon2_hash_alone(creates),
        "bot_matching": bot_matching(),
    }


def print_table(results: dict) -> None:
    base = results["kafka_round_trip"]["p50_ms"]
    print(f"\n{'measure':<28}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'p50 / kafka rtt':>18}")
    for name, row in results.items():
        if isinstance(row, dict) and "p50_ms" in row:
            print(f"{name:<28}{row['n']:>6}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}{row['max_ms']:>10.2f}"
                  f"{row['p50_ms'] / base:>17.1f}x")
    bots = results["bot_matching"]
    print(f"\nbot matching, {bots['signatures']} enabled defaults: {bots['matcher_us_per_call_uncached']} us/call"
          f" uncached, {bots['matcher_us_per_call_cached']} us cached ({bots['classifications_per_s']}/s);"
          f" naive loop {bots['naive_us_per_call']} us ({bots['naive_over_matcher']}x);"
          f" compile {bots['compile_ms']} ms, load {bots['load_ms']} ms")
    print("\ntargets: propagation p50 <= 50 ms, p99 <= 250 ms (after_2xx_to_agent);"
          " DKIM key generation off the request path (domain_create_key_pool vs _no_pool)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--changes", type=int, default=300, help="rate changes to propagate (>= 200)")
    parser.add_argument("--creates", type=int, default=100, help="domain creates per key-pool setting")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args()
    with start_stack(durable=True) as servers:
        infra = InfraConfig(database_url=servers.database_url, kafka_bootstrap=servers.kafka_bootstrap,
                            namespace=f"bench{uuid.uuid4().hex[:6]}", partitions=2, log_level="WARNING")
        results = asyncio.run(run(args.changes, infra, args.creates))
    results["machine"] = {"cpus": __import__("os").cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                        time.gmtime())}
    args.out.mkdir(exist_ok=True)
    (args.out / "propagation.json").write_text(json.dumps(results, indent=2))
    print_table(results)
    print(f"\nwritten: {args.out / 'propagation.json'}")


if __name__ == "__main__":
    main()
