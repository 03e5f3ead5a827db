"""Domains through the gateway, the domains service, a real DNS server, and an agent."""

from __future__ import annotations

import asyncio
import base64
import uuid

import dkim
import pytest
from cryptography.hazmat.primitives.serialization import load_der_public_key

from tests.agents import running_agent, snapshot_with
from tests.api import Api

TIMEOUT_S = 15


def unique_domain() -> str:
    return f"d{uuid.uuid4().hex[:10]}.com"


async def create(api: Api, cluster: str, token: str, name: str):
    return await api.call("POST", f"/api/v1/clusters/{cluster}/domains", token, json={"name": name})


async def test_create_answers_201_with_dkim_and_dmarc_records(tenant):
    api, cluster, token = tenant
    name = unique_domain()
    status, body, _ = await create(api, cluster, token, name)
    assert status == 201
    data = body["data"]
    assert list(data) == ["name", "status", "dkim_public_key", "dns_records", "created_at", "updated_at"]
    assert data["name"] == name and data["status"] == "pending"
    key = load_der_public_key(base64.b64decode(data["dkim_public_key"]))
    assert key.key_size == 2048
    assert data["dns_records"] == {
        "dkim": {"type": "TXT", "name": "unmta._domainkey", "value": f"p={data['dkim_public_key']}"},
        "dmarc": {"type": "TXT", "name": "_dmarc", "value": "v=DMARC1; p=reject; adkim=s; aspf=r"}}


async def test_list_get_and_delete_with_case_insensitive_paths(tenant):
    api, cluster, token = tenant
    name = unique_domain()
    _, created, _ = await create(api, cluster, token, name.upper())
    assert created["data"]["name"] == name
    status, listed, _ = await api.call("GET", f"/api/v1/clusters/{cluster}/domains", token)
    assert status == 200
    assert listed["data"] == [{k: v for k, v in created["data"].items() if k != "dns_records"}]
    status, got, _ = await api.call("GET", f"/api/v1/clusters/{cluster}/domains/{name.upper()}", token)
    assert (status, got) == (200, created)
    status, body, _ = await api.call("DELETE", f"/api/v1/clusters/{cluster}/domains/{name.title()}", token)
    assert (status, body) == (204, None)
    assert (await api.call("GET", f"/api/v1/clusters/{cluster}/domains/{name}", token))[:2] == (
        404, {"message": "Not Found"})
    assert (await api.call("DELETE", f"/api/v1/clusters/{cluster}/domains/{name}", token))[:2] == (
        404, {"message": "Not Found"})


@pytest.mark.parametrize("body, message", [
    ({}, "The name field is required."),
    ({"name": None}, "The name field must be a string."),
    ({"name": 42}, "The name field must be a string."),
    ({"name": ""}, "The name field is required."),
    ({"name": "localhost"}, "The name must be a valid fully-qualified domain name."),
    ({"name": "bad_label.com"}, "The name must be a valid fully-qualified domain name."),
    ({"name": "203.0.113.5"}, "The name must be a domain name, not an IP address."),
    ({"name": "mail.example.test"}, "The name must not use the reserved TLD .test."),
    ({"name": "foo.localdomain"}, "The name must not use the reserved TLD .localdomain."),
    ({"name": "x.example"}, "The name must not use the reserved TLD .example."),
])
async def test_invalid_names_are_422_keyed_by_name(tenant, body, message):
    api, cluster, token = tenant
    status, answer, _ = await api.call("POST", f"/api/v1/clusters/{cluster}/domains", token, json=body)
    assert status == 422
    assert answer == {"message": message, "errors": {"name": [message]}}


async def test_unique_per_cluster_regardless_of_case_but_not_across_clusters(tenant, shared_stack):
    api, cluster, token = tenant
    name = unique_domain()
    assert (await create(api, cluster, token, name))[0] == 201
    status, body, _ = await create(api, cluster, token, name.upper())
    assert (status, body) == (422, {"message": "The name has already been taken.",
                                    "errors": {"name": ["The name has already been taken."]}})
    other = await api.new_cluster()
    other_token = await api.new_user(f"o-{uuid.uuid4().hex[:8]}@example.com", [other["id"]])
    status, again, _ = await create(api, other["id"], other_token, name)
    assert status == 201
    _, first, _ = await api.call("GET", f"/api/v1/clusters/{cluster}/domains/{name}", token)
    assert again["data"]["dkim_public_key"] != first["data"]["dkim_public_key"]


async def test_other_tenants_get_404_on_every_domain_route(tenant):
    api, cluster, token = tenant
    name = unique_domain()
    await create(api, cluster, token, name)
    stranger = await api.new_user(f"s-{uuid.uuid4().hex[:8]}@example.com")
    base = f"/api/v1/clusters/{cluster}/domains"
    for method, path, body in [("GET", base, None), ("POST", base, {"name": unique_domain()}),
                               ("GET", f"{base}/{name}", None), ("DELETE", f"{base}/{name}", None),
                               ("POST", f"{base}/{name}/verify", None)]:
        assert (await api.call(method, path, stranger, json=body))[:2] == (404, {"message": "Not Found"})
    assert (await api.call("GET", f"{base}/{name}", token))[0] == 200


async def test_idempotency_key_replays_a_create_without_a_second_domain(tenant):
    api, cluster, token = tenant
    name, key = unique_domain(), {"Idempotency-Key": uuid.uuid4().hex}
    first = await api.call("POST", f"/api/v1/clusters/{cluster}/domains", token, json={"name": name}, headers=key)
    again = await api.call("POST", f"/api/v1/clusters/{cluster}/domains", token, json={"name": name}, headers=key)
    assert first[0] == again[0] == 201 and first[1] == again[1]
    other = await api.call("POST", f"/api/v1/clusters/{cluster}/domains", token, json={"name": unique_domain()},
                           headers=key)
    assert other[0] == 422 and "idempotency_key" in other[1]["errors"]


async def verify(api, cluster, token, name):
    return await api.call("POST", f"/api/v1/clusters/{cluster}/domains/{name}/verify", token)


async def test_verification_pending_to_verified_with_split_txt(tenant, dns_server):
    api, cluster, token = tenant
    name = unique_domain()
    _, created, _ = await create(api, cluster, token, name)
    record = created["data"]["dns_records"]["dkim"]["value"]
    assert len(record) > 255  # DNS carries it as several strings
    status, body, _ = await verify(api, cluster, token, name)
    assert status == 200
    assert body["verification"] == {"verified": False,
                                     "error": f"No DKIM TXT record found at unmta._domainkey.{name}."}
    assert body["data"]["status"] == "pending"
    dns_server.set_txt(f"unmta._domainkey.{name}", f"v=DKIM1; k=rsa; {record}")
    status, body, _ = await verify(api, cluster, token, name.upper())
    assert status == 200
    assert body["verification"] == {"verified": True, "error": None}
    assert body["data"]["status"] == "verified"
    assert body["data"]["updated_at"] >= created["data"]["updated_at"]


async def test_verification_follows_a_cname_delegated_selector(tenant, dns_server):
    api, cluster, token = tenant
    name = unique_domain()
    _, created, _ = await create(api, cluster, token, name)
    dns_server.set_cname(f"unmta._domainkey.{name}", f"keys.{name}.esp.net")
    dns_server.set_txt(f"keys.{name}.esp.net", created["data"]["dns_records"]["dkim"]["value"])
    status, body, _ = await verify(api, cluster, token, name)
    assert body["verification"] == {"verified": True, "error": None}


@pytest.mark.parametrize("setup, error", [
    ("wrong_key", "The DKIM TXT record publishes a different key than the one issued."),
    ("nxdomain", "No DKIM TXT record found at unmta._domainkey.{name}."),
    ("timeout", "DNS lookup for unmta._domainkey.{name} timed out."),
    ("servfail", "DNS server failed to answer for unmta._domainkey.{name} (SERVFAIL)."),
])
async def test_failed_verification_stays_pending_with_a_readable_error(tenant, dns_server, setup, error):
    api, cluster, token = tenant
    name = unique_domain()
    await create(api, cluster, token, name)
    selector = f"unmta._domainkey.{name}"
    if setup == "wrong_key":
        dns_server.set_txt(selector, "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnotthekey")
    elif setup == "timeout":
        dns_server.silent.add(selector)
    elif setup == "servfail":
        dns_server.servfail.add(selector)
    status, body, _ = await verify(api, cluster, token, name)
    assert status == 200
    assert body["verification"] == {"verified": False, "error": error.format(name=name)}
    assert body["data"]["status"] == "pending"


async def wait_for_status(api, cluster, token, name, status: str) -> dict:
    async with asyncio.timeout(TIMEOUT_S):
        while True:
            _, body, _ = await api.call("GET", f"/api/v1/clusters/{cluster}/domains/{name}", token)
            if body["data"]["status"] == status:
                return body["data"]
            await asyncio.sleep(0.05)


async def test_background_recheck_verifies_a_domain_without_an_api_call(tenant, dns_server):
    api, cluster, token = tenant
    name = unique_domain()
    _, created, _ = await create(api, cluster, token, name)
    await asyncio.sleep(0.5)  # let a few background checks fail first
    dns_server.set_txt(f"unmta._domainkey.{name}", created["data"]["dns_records"]["dkim"]["value"])
    assert (await wait_for_status(api, cluster, token, name, "verified"))["name"] == name


async def test_agent_receives_verified_domains_keys_and_dkimpy_verifies_a_signature(
        tenant, dns_server, shared_stack, tmp_path):
    api, cluster, token = tenant
    mta, mta_token = await api.new_mta(cluster)
    other_cluster = await api.new_cluster()
    other_mta, other_token = await api.new_mta(other_cluster["id"])
    signed, pending = unique_domain(), unique_domain()
    _, created, _ = await create(api, cluster, token, signed)
    await create(api, cluster, token, pending)
    record = created["data"]["dns_records"]["dkim"]["value"]
    dns_server.set_txt(f"unmta._domainkey.{signed}", record)

    async with running_agent(shared_stack.url, mta["id"], mta_token, tmp_path) as agent:
        await agent.wait_until(lambda s: True, TIMEOUT_S)
        assert (await verify(api, cluster, token, signed))[1]["verification"]["verified"] is True
        snapshot = await snapshot_with(agent, tmp_path, lambda s: [d["name"] for d in s["domains"]] == [signed])
        [domain] = snapshot["domains"]
        assert domain == {"name": signed, "selector": "unmta", "algorithm": "rsa-sha256",
                          "public_key": created["data"]["dkim_public_key"], "key_id": domain["key_id"]}
        private_pem = snapshot["dkim_private_keys"][domain["key_id"]]
        assert (tmp_path / "snapshot.json").stat().st_mode & 0o077 == 0

        message = (f"From: a@{signed}\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nhello\r\n").encode()
        signature = dkim.sign(message, b"unmta", signed.encode(), private_pem.encode(),
                              include_headers=[b"from", b"to", b"subject"])

        def published(name: bytes, timeout: int = 5) -> bytes:
            assert name.decode().rstrip(".") == f"unmta._domainkey.{signed}"
            return dns_server.txt[f"unmta._domainkey.{signed}"][0].encode()

        assert dkim.verify(signature + message, dnsfunc=published)
        assert not dkim.verify(signature + message.replace(b"hello", b"hullo"), dnsfunc=published)

        # Another cluster's MTA never sees this cluster's keys.
        async with running_agent(shared_stack.url, other_mta["id"], other_token, tmp_path / "other") as other:
            await other.wait_until(lambda s: True, TIMEOUT_S)
        other_snapshot = (tmp_path / "other" / "snapshot.json").read_text()
        assert signed not in other_snapshot and private_pem not in other_snapshot

        # Deleting the domain takes it (and its key) off the MTA.
        await api.call("DELETE", f"/api/v1/clusters/{cluster}/domains/{signed}", token)
        snapshot = await snapshot_with(agent, tmp_path, lambda s: s["domains"] == [])
        assert "dkim_private_keys" not in snapshot
