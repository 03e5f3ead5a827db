"""The public API through the real gateway, Kafka and Postgres, in the contract's shapes."""

from __future__ import annotations

import asyncio
import re
import uuid

import aiohttp
import pytest

from tests.api import Api

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
async def api(shared_stack):
    async with aiohttp.ClientSession() as http:
        yield Api(http, shared_stack.url)


def email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


async def test_clusters_list_has_the_contract_shape(api):
    cluster = await api.new_cluster("1,000/day")
    token = await api.new_user(email(), [cluster["id"]])
    status, body, _ = await api.call("GET", "/api/v1/clusters", token)
    assert status == 200
    assert body == {"data": [cluster]}
    assert set(cluster) == {"id", "hostname", "region", "status", "max_message_rate", "created_at", "updated_at"}
    assert re.fullmatch(r"[0-9a-f]{8}", cluster["id"])
    assert cluster["hostname"] == f"c-{cluster['id']}.unmta.net"
    assert cluster["status"] == "active" and cluster["max_message_rate"] == "1,000/day"
    assert ISO.fullmatch(cluster["created_at"]) and ISO.fullmatch(cluster["updated_at"])


async def test_mtas_list_has_the_contract_shape(api):
    cluster = await api.new_cluster()
    mta, _ = await api.new_mta(cluster["id"])
    token = await api.new_user(email(), [cluster["id"]])
    status, body, _ = await api.call("GET", f"/api/v1/clusters/{cluster['id']}/mtas", token)
    assert status == 200
    [listed] = body["data"]
    assert listed == {
        "id": mta["id"], "hostname": f"m-{mta['id']}.unmta.net", "primary_ipv4": "203.0.113.10",
        "primary_ipv6": "2001:db8::1",
        "outbound_ips": [{"ipv4": "203.0.113.20", "ipv6": "2001:db8::10", "ptr": "ip-203-0-113-20.unmta.net"}],
        "created_at": mta["created_at"], "updated_at": mta["updated_at"]}


async def test_without_a_valid_token_every_route_is_401(api):
    for token in (None, "wrong-token"):
        for path in ("/api/v1/clusters", "/api/v1/clusters/a1b2c3d4/mtas"):
            status, body, _ = await api.call("GET", path, token)
            assert (status, body) == (401, {"message": "Unauthenticated."})
    status, body, _ = await api.call("GET", "/admin/v1/clusters", "wrong-token")
    assert (status, body) == (401, {"message": "Unauthenticated."})


async def test_another_tenants_cluster_looks_exactly_like_a_missing_one(api):
    mine, theirs = await api.new_cluster(), await api.new_cluster()
    await api.new_mta(theirs["id"])
    token = await api.new_user(email(), [mine["id"]])
    foreign = await api.call("GET", f"/api/v1/clusters/{theirs['id']}/mtas", token)
    missing = await api.call("GET", "/api/v1/clusters/00000000/mtas", token)
    assert foreign[:2] == missing[:2] == (404, {"message": "Not Found"})
    status, body, _ = await api.call("GET", "/api/v1/clusters", token)
    assert [c["id"] for c in body["data"]] == [mine["id"]]


async def test_a_new_token_revokes_the_old_one_at_once_and_revoke_works(api):
    address = email()
    old = await api.new_user(address)
    new = (await api.admin_ok("POST", f"/admin/v1/users/{address}/token"))["token"]
    assert (await api.call("GET", "/api/v1/clusters", old))[0] == 401
    assert (await api.call("GET", "/api/v1/clusters", new))[0] == 200
    status, _, _ = await api.admin("DELETE", f"/admin/v1/users/{address}/token")
    assert status == 204
    assert (await api.call("GET", "/api/v1/clusters", new))[0] == 401


async def test_unknown_routes_and_wrong_methods_answer_json(api):
    assert (await api.call("GET", "/api/v1/nothing-here"))[:2] == (404, {"message": "Not Found"})
    status, body, headers = await api.call("DELETE", "/api/v1/clusters")
    assert (status, body) == (405, {"message": "Method Not Allowed"})
    assert "GET" in headers["Allow"]


@pytest.mark.parametrize("data, status, field", [
    (b"{not json", 400, None),
    (b"[1, 2]", 422, "body"),
    (b'"text"', 422, "body"),
    (b'{"region": 7}', 422, "region"),
    (b'{"region": "us-dal-1", "max_message_rate": 5}', 422, "max_message_rate"),
    (b'{"region": "us-dal-1", "max_message_rate": "lots"}', 422, "max_message_rate"),
    (b'{"max_message_rate": "5/s"}', 422, "region"),
    (b"", 422, "region"),
])
async def test_bad_bodies_are_4xx_with_contract_shaped_errors(api, data, status, field):
    got, body, _ = await api.call("POST", "/admin/v1/clusters", "test-admin-token", data=data,
                                  headers={"Content-Type": "application/json"})
    assert got == status
    assert isinstance(body["message"], str)
    if field:
        assert body["message"] == body["errors"][field][0]


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(api):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await api.admin("POST", "/admin/v1/clusters", {"region": "eu-fra-1"}, headers=key)
    again = await api.admin("POST", "/admin/v1/clusters", {"region": "eu-fra-1"}, headers=key)
    assert first[0] == again[0] == 201
    assert first[1] == again[1]
    assert again[2]["Idempotent-Replayed"] == "true"
    other = await api.admin("POST", "/admin/v1/clusters", {"region": "us-nyc-1"}, headers=key)
    assert other[0] == 422
    assert list(other[1]["errors"]) == ["idempotency_key"]
    clusters = (await api.admin_ok("GET", "/admin/v1/clusters"))["data"]
    assert [c["id"] for c in clusters].count(first[1]["data"]["id"]) == 1
    assert sum(c["region"] == "eu-fra-1" and c["id"] == first[1]["data"]["id"] for c in clusters) == 1


async def test_ten_concurrent_requests_with_one_key_have_one_effect(api):
    key = {"Idempotency-Key": uuid.uuid4().hex}
    region = f"r-{uuid.uuid4().hex[:6]}"
    answers = await asyncio.gather(*[
        api.admin("POST", "/admin/v1/clusters", {"region": region}, headers=key) for _ in range(10)])
    assert {status for status, _, _ in answers} == {201}
    assert len({body["data"]["id"] for _, body, _ in answers}) == 1
    clusters = (await api.admin_ok("GET", "/admin/v1/clusters"))["data"]
    assert sum(c["region"] == region for c in clusters) == 1


async def test_a_replayed_secret_minting_request_never_shows_a_second_token(api):
    cluster = await api.new_cluster()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"primary_ipv4": "198.51.100.7"}
    first = await api.admin("POST", f"/admin/v1/clusters/{cluster['id']}/mtas", body, headers=key)
    again = await api.admin("POST", f"/admin/v1/clusters/{cluster['id']}/mtas", body, headers=key)
    assert first[0] == 201 and first[1]["token"]
    # The first answer again, but the token was shown once and is stored nowhere.
    assert again[0] == 201 and again[1] == {"data": first[1]["data"]}
    assert again[2]["Idempotent-Replayed"] == "true"
    mtas = (await api.admin_ok("GET", f"/admin/v1/mtas?cluster={cluster['id']}"))["data"]
    assert len(mtas) == 1


async def test_health_reports_every_dependency(api):
    status, body, _ = await api.call("GET", "/health")
    assert status == 200
    assert body["checks"] == {"postgres": "ok", "kafka": "ok",
                              "services": {"fleet": "consuming", "domains": "consuming",
                                           "credentials": "consuming", "tracking": "consuming", "botsigs": "consuming",
                                           "configsync": "consuming"}}


async def test_openapi_describes_every_public_endpoint_from_the_validating_types(api):
    status, spec, _ = await api.call("GET", "/api/v1/openapi.json")
    assert status == 200
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/v1/clusters", "/api/v1/clusters/{cluster}/mtas",
                                  "/api/v1/clusters/{cluster}/domains", "/api/v1/clusters/{cluster}/domains/{domain}",
                                  "/api/v1/clusters/{cluster}/domains/{domain}/verify",
                                  "/api/v1/clusters/{cluster}/tracking-domains",
                                  "/api/v1/clusters/{cluster}/tracking-domains/{domain}",
                                  "/api/v1/clusters/{cluster}/tracking-domains/{domain}/verify",
                                  "/api/v1/clusters/{cluster}/credentials",
                                  "/api/v1/clusters/{cluster}/credentials/{user}",
                                  "/api/v1/clusters/{cluster}/bot-signatures/defaults",
                                  "/api/v1/clusters/{cluster}/bot-signatures/defaults/{key}",
                                  "/api/v1/clusters/{cluster}/bot-signatures/custom",
                                  "/api/v1/clusters/{cluster}/bot-signatures/custom/{id}"}
    create = spec["paths"]["/api/v1/clusters/{cluster}/domains"]["post"]
    assert set(create["responses"]) == {"201", "401", "404", "422", "503"}
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DomainCreateIn")
    listed = spec["paths"]["/api/v1/clusters"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = listed["$ref"].rsplit("/", 1)[-1]
    cluster_schema = spec["components"]["schemas"]["ClusterView"]
    assert name in spec["components"]["schemas"]
    assert set(cluster_schema["required"]) == {"id", "hostname", "region", "status", "max_message_rate",
                                               "created_at", "updated_at"}
