"""`unmta replay configsync`: rebuilt from offset 0, byte-identical, swapped in under live pulls."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from tests.api import Api
from unmta_cli.main import main as cli_main
from unmta_configsync import store


async def snapshot_bodies(pool, names) -> dict[str, bytes]:
    schema = await store.active_schema(pool, names)
    return {r["mta_id"]: bytes(r["body"]) for r in await pool.fetch(f"SELECT mta_id, body FROM {schema}.snapshots")}


def _by_cluster(bodies: dict[str, bytes]) -> list[bytes]:
    """One snapshot per cluster, in cluster creation order (the domain names carry the index)."""
    first = {}
    for body in bodies.values():
        snapshot = json.loads(body)
        first.setdefault(snapshot["cluster"]["id"], body)
    return sorted(first.values(), key=lambda b: json.loads(b)["domains"][0]["name"])


async def wait_until_projected(pool, names, mta_ids: set[str], rate: str) -> None:
    async with asyncio.timeout(20):
        while True:
            bodies = await snapshot_bodies(pool, names)
            if set(bodies) >= mta_ids and all(json.loads(b)["cluster"]["max_message_rate"] == rate
                                              for m, b in bodies.items() if m in mta_ids):
                return
            await asyncio.sleep(0.05)


async def test_replay_rebuilds_byte_identical_snapshots_without_interrupting_pulls(fresh_stack, infra, capsys,
                                                                                   monkeypatch, dns_server):
    configsync = fresh_stack.configsync
    async with aiohttp.ClientSession() as http:
        api = Api(http, fresh_stack.url)
        mtas = {}
        tag = infra.namespace.replace("_", "-")
        for i in range(3):
            cluster = await api.new_cluster("100/hr")
            for j in range(2):
                mta, token = await api.new_mta(cluster["id"], ipv4=f"198.51.100.{i * 10 + j}")
                mtas[mta["id"]] = (token, cluster["id"])
            user_token = await api.new_user(f"replay-{i}-{infra.namespace}@example.com", [cluster["id"]])
            for name in (f"keep{i}.{tag}.com", f"gone{i}.{tag}.com"):
                _, created, _ = await api.call("POST", f"/api/v1/clusters/{cluster['id']}/domains", user_token,
                                               json={"name": name})
                dns_server.set_txt(f"unmta._domainkey.{name}", created["data"]["dns_records"]["dkim"]["value"])
                await api.call("POST", f"/api/v1/clusters/{cluster['id']}/domains/{name}/verify", user_token)
            await api.call("DELETE", f"/api/v1/clusters/{cluster['id']}/domains/gone{i}.{tag}.com",
                           user_token)
            await api.call("POST", f"/api/v1/clusters/{cluster['id']}/credentials", user_token,
                           json={"user": f"app{i}", "domains": [f"keep{i}.{tag}.com"]})
            await api.call("PUT", f"/api/v1/clusters/{cluster['id']}/credentials/app{i}", user_token,
                           json={"allowed_ips": ["203.0.113.0/24"]})
            tracking = f"t.keep{i}.{tag}.com"
            _, created, _ = await api.call("POST", f"/api/v1/clusters/{cluster['id']}/tracking-domains", user_token,
                                           json={"name": tracking, "is_default": True})
            dns_server.set_cname(tracking, created["data"]["verification_hostname"])
            await api.call("POST", f"/api/v1/clusters/{cluster['id']}/tracking-domains/{tracking}/verify", user_token)
            await api.admin_ok("PATCH", f"/admin/v1/clusters/{cluster['id']}", {"max_message_rate": "5/s"})
        await wait_until_projected(configsync.pool, configsync.names, set(mtas), "5/s")
        for i, body in enumerate(_by_cluster(await snapshot_bodies(configsync.pool, configsync.names))):
            snapshot = json.loads(body)
            assert [d["name"] for d in snapshot["domains"]] == [f"keep{i}.{tag}.com"]
            assert [c["allowed_ips"] for c in snapshot["credentials"]] == [["203.0.113.0/24"]]
            assert snapshot["tracking_domains"] == [{"name": f"t.keep{i}.{tag}.com", "is_default": True}]
        live = await snapshot_bodies(configsync.pool, configsync.names)

        pulls_failed = []
        stop = asyncio.Event()

        async def keep_pulling(mta_id: str, token: str) -> int:
            served = 0
            while not stop.is_set():
                status, body, _ = await api.call("GET", f"/mta/v1/mtas/{mta_id}/snapshot", token)
                if status != 200:
                    pulls_failed.append(status)
                served += 1
            return served

        pullers = [asyncio.create_task(keep_pulling(m, t)) for m, (t, _) in list(mtas.items())[:2]]
        monkeypatch.setenv("UNMTA_DATABASE_URL", infra.database_url)
        monkeypatch.setenv("UNMTA_KAFKA_BOOTSTRAP", infra.kafka_bootstrap)
        monkeypatch.setenv("UNMTA_NAMESPACE", infra.namespace)
        monkeypatch.setenv("UNMTA_PARTITIONS", str(infra.partitions))
        code = await asyncio.to_thread(cli_main, ["replay", "configsync", "--json"])
        stop.set()
        served = await asyncio.gather(*pullers)
        out, _ = capsys.readouterr()
        assert code == 0
        report = json.loads(out)["data"]
        assert report["generation"] == 2
        assert report["differing_snapshots"] == 0
        assert report["snapshots"] == len(mtas)
        assert report["events"] >= 3 + 6 + 3 + 6 + 6 + 3 + 6 + 9
        assert pulls_failed == [] and all(n > 0 for n in served)

        assert await store.active_schema(configsync.pool, configsync.names) == configsync.names.generation_schema(2)
        assert await snapshot_bodies(configsync.pool, configsync.names) == live

        # The live projector follows the new generation: a change after the swap still arrives.
        first_cluster = next(iter(mtas.values()))[1]
        await api.admin_ok("PATCH", f"/admin/v1/clusters/{first_cluster}", {"max_message_rate": "7/s"})
        await wait_until_projected(configsync.pool, configsync.names,
                                   {m for m, (_, c) in mtas.items() if c == first_cluster}, "7/s")
