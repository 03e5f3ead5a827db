"""Tracking domains through the gateway, the tracking service, a real DNS server, and an agent."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from tests.agents import running_agent, snapshot_with

TIMEOUT_S = 15


def path(cluster: str, name: str | None = None, verify: bool = False) -> str:
    base = f"/api/v1/clusters/{cluster}/tracking-domains"
    return base + (f"/{name}" if name else "") + ("/verify" if verify else "")


def unique_name() -> str:
    return f"track.t{uuid.uuid4().hex[:10]}.com"


async def create(api, cluster, token, name, **extra):
    return await api.call("POST", path(cluster), token, json={"name": name, **extra})


async def test_create_answers_201_in_the_contract_shape(tenant):
    api, cluster, token = tenant
    name = unique_name()
    status, body, _ = await create(api, cluster, token, name.upper(), is_default=True)
    assert status == 201
    data = body["data"]
    assert list(data) == ["name", "status", "is_default", "verification_hostname", "verified_at", "dns_records",
                          "created_at", "updated_at"]
    assert (data["name"], data["status"], data["is_default"], data["verified_at"]) == (name, "pending", True, None)
    assert re.fullmatch(r"v-[0-9a-f]{16}\.track\.unmta\.net", data["verification_hostname"])
    assert data["dns_records"] == {"cname": {"type": "CNAME", "name": name, "value": data["verification_hostname"]}}
    status, listed, _ = await api.call("GET", path(cluster), token)
    assert listed == {"data": [{k: v for k, v in data.items() if k != "dns_records"}]}
    status, got, _ = await api.call("GET", path(cluster, name.title()), token)
    assert (status, got) == (200, body)


async def test_verification_hostnames_are_unique(tenant):
    api, cluster, token = tenant
    hostnames = {(await create(api, cluster, token, unique_name()))[1]["data"]["verification_hostname"]
                 for _ in range(5)}
    assert len(hostnames) == 5


@pytest.mark.parametrize("body, field, message", [
    ({}, "name", "The name field is required."),
    ({"name": 7}, "name", "The name field must be a string."),
    ({"name": "example.com"}, "name", "The name must be a subdomain (e.g. track.example.com), not an apex domain."),
    ({"name": "203.0.113.9"}, "name", "The name must be a domain name, not an IP address."),
    ({"name": "track.shop.test"}, "name", "The name must not use the reserved TLD .test."),
    ({"name": "track.shop.local"}, "name", "The name must not use the reserved TLD .local."),
    ({"name": "track..example.com"}, "name", "The name must be a valid fully-qualified domain name."),
    ({"name": "track.a.com", "is_default": "yes"}, "is_default", "The is default field must be true or false."),
])
async def test_invalid_creates_are_422(tenant, body, field, message):
    api, cluster, token = tenant
    status, answer, _ = await api.call("POST", path(cluster), token, json=body)
    assert (status, answer) == (422, {"message": message, "errors": {field: [message]}})


async def test_unique_within_a_cluster_regardless_of_case(tenant):
    api, cluster, token = tenant
    name = unique_name()
    await create(api, cluster, token, name)
    status, body, _ = await create(api, cluster, token, name.upper())
    assert (status, body["errors"]) == (422, {"name": ["The name has already been taken."]})
    other = await api.new_cluster()
    other_token = await api.new_user(f"o-{uuid.uuid4().hex[:8]}@example.com", [other["id"]])
    assert (await create(api, other["id"], other_token, name))[0] == 201


async def test_patch_requires_a_boolean_and_a_known_domain(tenant):
    api, cluster, token = tenant
    name = unique_name()
    await create(api, cluster, token, name)
    for body, message in [({}, "The is default field is required."),
                          ({"is_default": "true"}, "The is default field must be true or false."),
                          ({"is_default": None}, "The is default field must be true or false.")]:
        status, answer, _ = await api.call("PATCH", path(cluster, name), token, json=body)
        assert (status, answer) == (422, {"message": message, "errors": {"is_default": [message]}})
    assert (await api.call("PATCH", path(cluster, "track.nope.com"), token, json={"is_default": True}))[:2] == (
        404, {"message": "Not Found"})


async def defaults(api, cluster, token) -> list[str]:
    _, body, _ = await api.call("GET", path(cluster), token)
    return [d["name"] for d in body["data"] if d["is_default"]]


async def test_default_moves_on_create_and_patch_and_can_be_cleared(tenant):
    api, cluster, token = tenant
    first, second, third = unique_name(), unique_name(), unique_name()
    await create(api, cluster, token, first, is_default=True)
    await create(api, cluster, token, second, is_default=True)
    assert await defaults(api, cluster, token) == [second]
    await create(api, cluster, token, third)
    assert await defaults(api, cluster, token) == [second]
    status, body, _ = await api.call("PATCH", path(cluster, first.upper()), token, json={"is_default": True})
    assert status == 200 and body["data"]["is_default"] is True and "dns_records" not in body["data"]
    assert await defaults(api, cluster, token) == [first]
    await api.call("PATCH", path(cluster, second), token, json={"is_default": False})  # not the default: no-op
    assert await defaults(api, cluster, token) == [first]
    await api.call("PATCH", path(cluster, first), token, json={"is_default": False})
    assert await defaults(api, cluster, token) == []
    await api.call("PATCH", path(cluster, third), token, json={"is_default": True})
    assert (await api.call("DELETE", path(cluster, third), token))[:2] == (204, None)
    assert await defaults(api, cluster, token) == []
    assert (await api.call("GET", path(cluster, third), token))[0] == 404


async def test_twenty_concurrent_patches_leave_exactly_one_default(tenant):
    api, cluster, token = tenant
    names = [unique_name() for _ in range(20)]
    await asyncio.gather(*[create(api, cluster, token, name, is_default=i % 2 == 0) for i, name in enumerate(names)])
    assert len(await defaults(api, cluster, token)) == 1
    answers = await asyncio.gather(*[api.call("PATCH", path(cluster, name), token, json={"is_default": True})
                                     for name in names])
    assert {status for status, _, _ in answers} == {200}
    assert len(await defaults(api, cluster, token)) == 1
    await asyncio.gather(*[api.call("PATCH", path(cluster, name), token, json={"is_default": i % 3 == 0})
                           for i, name in enumerate(names)])
    assert len(await defaults(api, cluster, token)) <= 1


async def test_other_tenants_get_404_on_every_tracking_route(tenant):
    api, cluster, token = tenant
    name = unique_name()
    await create(api, cluster, token, name)
    stranger = await api.new_user(f"s-{uuid.uuid4().hex[:8]}@example.com")
    for method, route, body in [("GET", path(cluster), None), ("POST", path(cluster), {"name": unique_name()}),
                                ("GET", path(cluster, name), None),
                                ("PATCH", path(cluster, name), {"is_default": True}),
                                ("DELETE", path(cluster, name), None), ("POST", path(cluster, name, True), None)]:
        assert (await api.call(method, route, stranger, json=body))[:2] == (404, {"message": "Not Found"})


async def test_idempotent_create_replays(tenant):
    api, cluster, token = tenant
    name, key = unique_name(), {"Idempotency-Key": uuid.uuid4().hex}
    first = await api.call("POST", path(cluster), token, json={"name": name}, headers=key)
    again = await api.call("POST", path(cluster), token, json={"name": name}, headers=key)
    assert first[0] == again[0] == 201 and first[1] == again[1]
    assert (await api.call("POST", path(cluster), token, json={"name": unique_name()}, headers=key))[0] == 422


async def test_cname_verification_promotes_to_active(tenant, dns_server):
    api, cluster, token = tenant
    name = unique_name()
    _, created, _ = await create(api, cluster, token, name)
    target = created["data"]["verification_hostname"]
    status, body, _ = await api.call("POST", path(cluster, name, True), token)
    assert (status, body["verification"]) == (200, {"verified": False, "error": "No CNAME record found."})
    assert body["data"]["status"] == "pending" and body["data"]["verified_at"] is None
    dns_server.set_cname(name, target.upper() + ".")
    status, body, _ = await api.call("POST", path(cluster, name.upper(), True), token)
    assert (status, body["verification"]) == (200, {"verified": True, "error": None})
    assert body["data"]["status"] == "active"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["data"]["verified_at"])
    assert body["data"]["dns_records"]["cname"]["value"] == target


@pytest.mark.parametrize("setup, error", [
    ("wrong", "CNAME points to elsewhere.example.net, expected {target}."),
    ("missing", "No CNAME record found."),
    ("timeout", "DNS lookup for {name} timed out."),
    ("servfail", "DNS server failed to answer for {name} (SERVFAIL)."),
])
async def test_failed_verification_stays_pending_with_the_right_error(tenant, dns_server, setup, error):
    api, cluster, token = tenant
    name = unique_name()
    _, created, _ = await create(api, cluster, token, name)
    target = created["data"]["verification_hostname"]
    if setup == "wrong":
        dns_server.set_cname(name, "elsewhere.example.net")
    elif setup == "timeout":
        dns_server.silent.add(name)
    elif setup == "servfail":
        dns_server.servfail.add(name)
    status, body, _ = await api.call("POST", path(cluster, name, True), token)
    assert status == 200
    assert body["verification"] == {"verified": False, "error": error.format(name=name, target=target)}
    assert body["data"]["status"] == "pending"


async def test_background_recheck_promotes_without_an_api_call(tenant, dns_server):
    api, cluster, token = tenant
    name = unique_name()
    _, created, _ = await create(api, cluster, token, name)
    dns_server.set_cname(name, created["data"]["verification_hostname"])
    async def status() -> str:
        return (await api.call("GET", path(cluster, name), token))[1]["data"]["status"]

    async with asyncio.timeout(TIMEOUT_S):
        while await status() != "active":  # noqa: ASYNC110 - another service's state, polled over HTTP
            await asyncio.sleep(0.05)


async def test_agent_receives_active_tracking_domains_and_the_default(tenant, dns_server, shared_stack, tmp_path):
    api, cluster, token = tenant
    mta, mta_token = await api.new_mta(cluster)
    active, pending = unique_name(), unique_name()
    _, created, _ = await create(api, cluster, token, active, is_default=True)
    await create(api, cluster, token, pending)
    async with running_agent(shared_stack.url, mta["id"], mta_token, tmp_path) as agent:
        snapshot = await snapshot_with(agent, tmp_path, lambda s: True)
        assert snapshot["tracking_domains"] == []
        dns_server.set_cname(active, created["data"]["verification_hostname"])
        await api.call("POST", path(cluster, active, True), token)
        snapshot = await snapshot_with(agent, tmp_path, lambda s: s["tracking_domains"] != [])
        assert snapshot["tracking_domains"] == [{"name": active, "is_default": True}]
        await api.call("PATCH", path(cluster, active), token, json={"is_default": False})
        snapshot = await snapshot_with(agent, tmp_path, lambda s: not s["tracking_domains"][0]["is_default"])
        assert snapshot["tracking_domains"] == [{"name": active, "is_default": False}]
        await api.call("DELETE", path(cluster, active), token)
        await snapshot_with(agent, tmp_path, lambda s: s["tracking_domains"] == [])
