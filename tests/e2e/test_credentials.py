"""SMTP credentials through the gateway and the credentials service, to an MTA's snapshot."""

from __future__ import annotations

import asyncio
import json
import re
import uuid

import pytest
from argon2 import PasswordHasher

from tests.agents import running_agent, snapshot_with
from unmta_agent.policy import find_credential, may_send

TIMEOUT_S = 15


def path(cluster: str, user: str | None = None) -> str:
    return f"/api/v1/clusters/{cluster}/credentials" + (f"/{user}" if user else "")


async def test_create_returns_the_password_once_and_the_contract_shape(tenant):
    api, cluster, token = tenant
    request = {"user": "webapp-production", "allow_all_domains": False,
               "domains": ["example.com", "notifications.example.com"], "allow_all_ips": False,
               "allowed_ips": ["203.0.113.0/24", "198.51.100.5"]}
    status, body, _ = await api.call("POST", path(cluster), token, json=request)
    assert status == 201
    assert list(body) == ["data", "password"]
    assert re.fullmatch(r"[A-Za-z0-9]{32}", body["password"])
    data = body["data"]
    assert list(data) == ["user", "allow_all_domains", "domains", "allow_all_ips", "allowed_ips", "created_at",
                          "updated_at"]
    assert {k: data[k] for k in request} == request
    status, listed, _ = await api.call("GET", path(cluster), token)
    assert (status, listed) == (200, {"data": [data]})
    assert body["password"] not in json.dumps(listed)


async def test_defaults_all_ips_true_and_domains_required(tenant):
    api, cluster, token = tenant
    status, body, _ = await api.call("POST", path(cluster), token, json={"user": "u1", "domains": ["a.com"]})
    assert status == 201
    assert body["data"]["allow_all_domains"] is False and body["data"]["allow_all_ips"] is True
    assert body["data"]["allowed_ips"] == []
    status, body, _ = await api.call("POST", path(cluster), token, json={"user": "u2"})
    assert (status, body) == (422, {
        "message": "The domains field is required when allow all domains is false.",
        "errors": {"domains": ["The domains field is required when allow all domains is false."]}})
    status, body, _ = await api.call("POST", path(cluster), token, json={"user": "u3", "allow_all_domains": True})
    assert status == 201 and body["data"]["domains"] == []


@pytest.mark.parametrize("request_body, field", [
    ({"domains": ["a.com"]}, "user"),
    ({"user": 5, "domains": ["a.com"]}, "user"),
    ({"user": "x" * 256, "domains": ["a.com"]}, "user"),
    ({"user": "bad user", "domains": ["a.com"]}, "user"),
    ({"user": "u", "allow_all_domains": "yes"}, "allow_all_domains"),
    ({"user": "u", "domains": "a.com"}, "domains"),
    ({"user": "u", "domains": [5]}, "domains.0"),
    ({"user": "u", "domains": ["a.com", "not a domain"]}, "domains.1"),
    ({"user": "u", "domains": ["a.com"], "allow_all_ips": False}, "allowed_ips"),
    ({"user": "u", "domains": ["a.com"], "allow_all_ips": False, "allowed_ips": []}, "allowed_ips"),
    ({"user": "u", "domains": ["a.com"], "allowed_ips": ["300.1.1.1"]}, "allowed_ips.0"),
    ({"user": "u", "domains": ["a.com"], "allowed_ips": ["203.0.113.5/24"]}, "allowed_ips.0"),
    ({"user": "u", "domains": ["a.com"], "allowed_ips": ["10.0.0.0/33"]}, "allowed_ips.0"),
    ({"user": "u", "domains": ["a.com"], "allowed_ips": ["2001:db8::/129"]}, "allowed_ips.0"),
    ({"user": "u", "domains": ["a.com"], "password": "mine"}, "password"),
])
async def test_invalid_creates_are_422_keyed_by_field(tenant, request_body, field):
    api, cluster, token = tenant
    status, body, _ = await api.call("POST", path(cluster), token, json=request_body)
    assert status == 422
    assert field in body["errors"] and body["message"] == body["errors"][field][0]


async def test_host_bits_error_says_so(tenant):
    api, cluster, token = tenant
    _, body, _ = await api.call("POST", path(cluster), token,
                                json={"user": "u", "domains": ["a.com"], "allowed_ips": ["203.0.113.5/24"]})
    assert "host bits set (did you mean 203.0.113.0/24?)" in body["errors"]["allowed_ips.0"][0]


async def test_user_is_unique_within_a_cluster_only(tenant):
    api, cluster, token = tenant
    assert (await api.call("POST", path(cluster), token, json={"user": "same", "domains": ["a.com"]}))[0] == 201
    status, body, _ = await api.call("POST", path(cluster), token, json={"user": "same", "domains": ["b.com"]})
    assert (status, body["errors"]) == (422, {"user": ["The user has already been taken."]})
    other = await api.new_cluster()
    other_token = await api.new_user(f"o-{uuid.uuid4().hex[:8]}@example.com", [other["id"]])
    assert (await api.call("POST", path(other["id"]), other_token,
                           json={"user": "same", "domains": ["a.com"]}))[0] == 201


async def test_put_merge_semantics_and_timestamps(tenant):
    api, cluster, token = tenant
    _, created, _ = await api.call("POST", path(cluster), token,
                                   json={"user": "w", "allow_all_domains": True, "allow_all_ips": True})
    await asyncio.sleep(1.1)  # timestamps have one-second resolution: let updated_at move visibly
    status, body, _ = await api.call("PUT", path(cluster, "w"), token, json={"domains": ["Example.com"]})
    assert status == 200
    data = body["data"]
    assert (data["allow_all_domains"], data["domains"], data["allow_all_ips"]) == (False, ["example.com"], True)
    assert data["created_at"] == created["data"]["created_at"] and data["updated_at"] > data["created_at"]
    _, body, _ = await api.call("PUT", path(cluster, "w"), token, json={"allowed_ips": ["2001:db8::/32"]})
    assert (body["data"]["allow_all_ips"], body["data"]["allowed_ips"], body["data"]["domains"]) == (
        False, ["2001:db8::/32"], ["example.com"])
    _, body, _ = await api.call("PUT", path(cluster, "w"), token, json={"allow_all_domains": True})
    assert (body["data"]["allow_all_domains"], body["data"]["domains"]) == (True, ["example.com"])
    status, body, _ = await api.call("PUT", path(cluster, "w"), token, json={"allow_all_ips": False,
                                                                               "allowed_ips": []})
    assert status == 422 and list(body["errors"]) == ["allowed_ips"]
    status, body, _ = await api.call("PUT", path(cluster, "w"), token, json={"domains": None})
    assert status == 422 and list(body["errors"]) == ["domains"]
    assert "password" not in body


async def test_unknown_users_are_404_and_delete_is_204(tenant):
    api, cluster, token = tenant
    assert (await api.call("PUT", path(cluster, "ghost"), token, json={"allow_all_ips": True}))[:2] == (
        404, {"message": "Not Found"})
    assert (await api.call("DELETE", path(cluster, "ghost"), token))[:2] == (404, {"message": "Not Found"})
    await api.call("POST", path(cluster), token, json={"user": "gone", "domains": ["a.com"]})
    assert (await api.call("DELETE", path(cluster, "gone"), token))[:2] == (204, None)
    assert (await api.call("GET", path(cluster), token))[1] == {"data": []}


async def test_other_tenants_get_404_on_every_credential_route(tenant):
    api, cluster, token = tenant
    await api.call("POST", path(cluster), token, json={"user": "mine", "domains": ["a.com"]})
    stranger = await api.new_user(f"s-{uuid.uuid4().hex[:8]}@example.com")
    for method, route, body in [("GET", path(cluster), None),
                                ("POST", path(cluster), {"user": "x", "domains": ["a.com"]}),
                                ("PUT", path(cluster, "mine"), {"allow_all_ips": True}),
                                ("DELETE", path(cluster, "mine"), None)]:
        assert (await api.call(method, route, stranger, json=body))[:2] == (404, {"message": "Not Found"})


async def test_a_replayed_create_mints_no_second_password(tenant):
    api, cluster, token = tenant
    key = {"Idempotency-Key": uuid.uuid4().hex}
    request = {"user": "once", "domains": ["a.com"]}
    answers = await asyncio.gather(*[api.call("POST", path(cluster), token, json=request, headers=key)
                                     for _ in range(5)])
    assert {status for status, _, _ in answers} == {201}
    passwords = [body["password"] for _, body, _ in answers if "password" in body]
    assert len(passwords) == 1
    assert all(body["data"] == answers[0][1]["data"] for _, body, _ in answers)
    later = await api.call("POST", path(cluster), token, json=request, headers=key)
    assert later[0] == 201 and "password" not in later[1] and later[2]["Idempotent-Replayed"] == "true"
    assert len((await api.call("GET", path(cluster), token))[1]["data"]) == 1


async def test_the_mta_decides_logins_from_its_snapshot_alone(tenant, shared_stack, tmp_path):
    api, cluster, token = tenant
    mta, mta_token = await api.new_mta(cluster)
    _, restricted, _ = await api.call("POST", path(cluster), token, json={
        "user": "app", "domains": ["example.com"], "allow_all_ips": False,
        "allowed_ips": ["203.0.113.0/24", "2001:db8::/32", "198.51.100.5"]})
    _, everything, _ = await api.call("POST", path(cluster), token, json={"user": "all", "allow_all_domains": True})
    async with running_agent(shared_stack.url, mta["id"], mta_token, tmp_path) as agent:
        snapshot = await snapshot_with(agent, tmp_path, lambda s: len(s["credentials"]) == 2)
        app = find_credential(snapshot, "app")
        assert app["password_hash"].startswith("$argon2id$")
        assert PasswordHasher().verify(app["password_hash"], restricted["password"])  # a standard verifier
        password = restricted["password"]
        assert may_send(snapshot, "app", password, "example.com", "203.0.113.9")
        assert may_send(snapshot, "app", password, "EXAMPLE.com", "::ffff:203.0.113.9")
        assert may_send(snapshot, "app", password, "example.com", "2001:db8:5::1")
        assert may_send(snapshot, "app", password, "example.com", "198.51.100.5")
        assert not may_send(snapshot, "app", password[::-1], "example.com", "203.0.113.9")
        assert not may_send(snapshot, "app", password, "other.com", "203.0.113.9")
        assert not may_send(snapshot, "app", password, "example.com", "198.51.100.6")
        assert not may_send(snapshot, "app", password, "example.com", "2001:db9::1")
        assert not may_send(snapshot, "nobody", password, "example.com", "203.0.113.9")
        # "All domains" covers a domain the cluster adds later.
        assert may_send(snapshot, "all", everything["password"], f"new-{uuid.uuid4().hex[:6]}.org", "192.0.2.1")

        await api.call("PUT", path(cluster, "app"), token, json={"allow_all_ips": True})
        snapshot = await snapshot_with(agent, tmp_path, lambda s: find_credential(s, "app")["allow_all_ips"])
        assert may_send(snapshot, "app", password, "example.com", "192.0.2.1")
        await api.call("DELETE", path(cluster, "app"), token)
        snapshot = await snapshot_with(agent, tmp_path, lambda s: find_credential(s, "app") is None)
        assert not may_send(snapshot, "app", password, "example.com", "203.0.113.9")
