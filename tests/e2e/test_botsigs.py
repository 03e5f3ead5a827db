"""Bot signatures through the gateway and the botsigs service."""

from __future__ import annotations

import asyncio
import re
import uuid

import aiohttp
import pytest

from tests.api import Api


def path(cluster: str, rest: str = "") -> str:
    return f"/api/v1/clusters/{cluster}/bot-signatures{rest}"


async def test_defaults_list_has_the_contract_shape_and_paging(tenant):
    api, cluster, token = tenant
    status, body, _ = await api.call("GET", path(cluster, "/defaults"), token)
    assert status == 200
    assert list(body) == ["data", "meta"]
    assert body["meta"]["current_page"] == 1 and body["meta"]["per_page"] == 50
    assert body["meta"]["total"] >= 10_000 and len(body["data"]) == 50
    assert list(body["data"][0]) == ["key", "type", "pattern", "source", "label", "enabled"]
    _, page, _ = await api.call("GET", path(cluster, "/defaults?per_page=200&page=2"), token)
    assert len(page["data"]) == 200 and page["meta"] == {"current_page": 2, "per_page": 200,
                                                         "total": body["meta"]["total"]}
    last = -(-body["meta"]["total"] // 200)
    _, beyond, _ = await api.call("GET", path(cluster, f"/defaults?per_page=200&page={last + 1}"), token)
    assert beyond["data"] == [] and beyond["meta"]["total"] == body["meta"]["total"]


@pytest.mark.parametrize("query, field", [("per_page=0", "per_page"), ("per_page=201", "per_page"),
                                          ("per_page=x", "per_page"), ("page=0", "page"), ("enabled=maybe", "enabled")])
async def test_bad_list_parameters_are_422(tenant, query, field):
    api, cluster, token = tenant
    status, body, _ = await api.call("GET", path(cluster, f"/defaults?{query}"), token)
    assert status == 422 and list(body["errors"]) == [field]


async def test_filters_by_source_search_and_enabled(tenant):
    api, cluster, token = tenant
    _, apple, _ = await api.call("GET", path(cluster, "/defaults?source=apple&per_page=200"), token)
    assert apple["data"] and {d["source"] for d in apple["data"]} == {"apple"}
    _, found, _ = await api.call("GET", path(cluster, "/defaults?q=GOOGLEIMAGEproxy"), token)
    assert [d["key"] for d in found["data"]] == ["ua:googleimageproxy"]
    _, by_label, _ = await api.call("GET", path(cluster, "/defaults?q=private%20relay&source=apple"), token)
    assert "apple:17.0.0.0/8" in [d["key"] for d in by_label["data"]]
    _, off, _ = await api.call("GET", path(cluster, "/defaults?enabled=false&per_page=200"), token)
    assert off["meta"]["total"] > 0 and all(not d["enabled"] for d in off["data"])
    _, none, _ = await api.call("GET", path(cluster, "/defaults?q=%25_nothing_%25"), token)
    assert none == {"data": [], "meta": {"current_page": 1, "per_page": 50, "total": 0}}


async def test_get_and_toggle_defaults_per_cluster(tenant):
    api, cluster, token = tenant
    other = await api.new_cluster()
    other_token = await api.new_user(f"o-{uuid.uuid4().hex[:8]}@example.com", [other["id"]])
    status, body, _ = await api.call("GET", path(cluster, "/defaults/apple:17.0.0.0/8"), token)
    assert (status, body) == (200, {"data": {"key": "apple:17.0.0.0/8", "type": "ip_cidr", "pattern": "17.0.0.0/8",
                                             "source": "apple", "label": "Apple Private Relay", "enabled": True}})
    status, body, _ = await api.call("PATCH", path(cluster, "/defaults/ua:googleimageproxy"), token,
                                     json={"enabled": False})
    assert status == 200 and body["data"]["enabled"] is False and body["data"]["pattern"] == "GoogleImageProxy"
    assert (await api.call("GET", path(cluster, "/defaults/ua:googleimageproxy"), token))[1]["data"]["enabled"] is False
    theirs = await api.call("GET", path(other["id"], "/defaults/ua:googleimageproxy"), other_token)
    assert theirs[1]["data"]["enabled"] is True
    _, disabled, _ = await api.call("GET", path(cluster, "/defaults?enabled=false&q=googleimageproxy"), token)
    assert [d["key"] for d in disabled["data"]] == ["ua:googleimageproxy"]
    for body in ({}, {"enabled": "no"}):
        status, answer, _ = await api.call("PATCH", path(cluster, "/defaults/ua:googleimageproxy"), token, json=body)
        assert status == 422 and list(answer["errors"]) == ["enabled"]
    for method in ("GET", "PATCH"):
        answer = await api.call(method, path(cluster, "/defaults/ua:no-such-thing"), token, json={"enabled": True})
        assert answer[:2] == (404, {"message": "Not Found"})


async def test_custom_signatures_lifecycle(tenant):
    api, cluster, token = tenant
    status, body, _ = await api.call("POST", path(cluster, "/custom"), token,
                                     json={"type": "user_agent", "pattern": "InternalScanner/1.0",
                                           "label": "Corporate link scanner"})
    assert status == 201
    data = body["data"]
    assert list(data) == ["id", "type", "pattern", "source", "kind", "label", "created_at", "updated_at"]
    assert uuid.UUID(data["id"]) and (data["source"], data["kind"]) == ("custom", "automation")
    status, proxy, _ = await api.call("POST", path(cluster, "/custom"), token,
                                      json={"type": "ip_cidr", "pattern": "2001:DB8::/32", "kind": "proxy"})
    assert status == 201 and proxy["data"]["pattern"] == "2001:db8::/32" and proxy["data"]["label"] is None
    assert (await api.call("GET", path(cluster, "/custom"), token))[1] == {"data": [data, proxy["data"]]}
    assert (await api.call("GET", path(cluster, f"/custom/{data['id']}"), token))[1] == {"data": data}
    for bad in ("not-a-uuid", str(uuid.uuid4())):
        assert (await api.call("GET", path(cluster, f"/custom/{bad}"), token))[:2] == (404, {"message": "Not Found"})
        assert (await api.call("DELETE", path(cluster, f"/custom/{bad}"), token))[0] == 404
    assert (await api.call("DELETE", path(cluster, f"/custom/{data['id']}"), token))[:2] == (204, None)
    assert (await api.call("GET", path(cluster, f"/custom/{data['id']}"), token))[0] == 404


@pytest.mark.parametrize("body, field", [
    ({"pattern": "x"}, "type"),
    ({"type": "regex", "pattern": "x"}, "type"),
    ({"type": "user_agent"}, "pattern"),
    ({"type": "user_agent", "pattern": ""}, "pattern"),
    ({"type": "user_agent", "pattern": "x" * 1001}, "pattern"),
    ({"type": "user_agent", "pattern": 5}, "pattern"),
    ({"type": "ip_exact", "pattern": "1.2.3.999"}, "pattern"),
    ({"type": "ip_exact", "pattern": "10.0.0.0/8"}, "pattern"),
    ({"type": "ip_cidr", "pattern": "10.0.0.1/8"}, "pattern"),
    ({"type": "ip_cidr", "pattern": "10.0.0.0/33"}, "pattern"),
    ({"type": "ip_cidr", "pattern": "2001:db8::/129"}, "pattern"),
    ({"type": "ip_cidr", "pattern": "10.0.0.0"}, "pattern"),
    ({"type": "user_agent", "pattern": "x", "label": "l" * 256}, "label"),
    ({"type": "user_agent", "pattern": "x", "kind": "human"}, "kind"),
    ({"type": "user_agent", "pattern": "x", "extra": 1}, "extra"),
])
async def test_invalid_custom_signatures_are_422_by_field(tenant, body, field):
    api, cluster, token = tenant
    status, answer, _ = await api.call("POST", path(cluster, "/custom"), token, json=body)
    assert status == 422 and field in answer["errors"] and answer["message"] == answer["errors"][field][0]


async def test_other_tenants_get_404_everywhere(tenant):
    api, cluster, token = tenant
    _, created, _ = await api.call("POST", path(cluster, "/custom"), token,
                                   json={"type": "ip_exact", "pattern": "198.51.100.9"})
    stranger = await api.new_user(f"s-{uuid.uuid4().hex[:8]}@example.com")
    routes = [("GET", "/defaults", None), ("GET", "/defaults/ua:googleimageproxy", None),
              ("PATCH", "/defaults/ua:googleimageproxy", {"enabled": False}), ("GET", "/custom", None),
              ("POST", "/custom", {"type": "user_agent", "pattern": "x"}),
              ("GET", f"/custom/{created['data']['id']}", None), ("DELETE", f"/custom/{created['data']['id']}", None)]
    answers = await asyncio.gather(*[api.call(m, path(cluster, r), stranger, json=b) for m, r, b in routes])
    assert all(a[:2] == (404, {"message": "Not Found"}) for a in answers)
    assert re.fullmatch(r"[0-9a-f-]{36}", created["data"]["id"])


async def test_toggles_and_custom_signatures_reach_the_agents_matcher(tenant, shared_stack, tmp_path):
    from tests.agents import running_agent, snapshot_with
    from unmta_agent.bots import BotClassifier

    api, cluster, token = tenant
    mta, mta_token = await api.new_mta(cluster)
    other = await api.new_cluster()
    other_mta, other_token = await api.new_mta(other["id"])
    image_proxy = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    async with running_agent(shared_stack.url, mta["id"], mta_token, tmp_path / "a") as agent, \
            running_agent(shared_stack.url, other_mta["id"], other_token, tmp_path / "b") as other_agent:
        first = await snapshot_with(agent, tmp_path / "a", lambda s: True)
        theirs = await snapshot_with(other_agent, tmp_path / "b", lambda s: True)
        # Same enabled set, same compiled artifact: shared by content.
        assert first["bot_signatures"]["defaults"]["sha256"] == theirs["bot_signatures"]["defaults"]["sha256"]
        assert first["bot_signatures"]["defaults"]["signatures"] >= 10_000
        classifier = BotClassifier.from_directory(tmp_path / "a")
        assert classifier.classify(image_proxy, None).ref == "ua:googleimageproxy"
        assert classifier.classify("Mozilla/5.0 InternalScanner/1.0", "192.0.2.44") is None

        await api.call("PATCH", path(cluster, "/defaults/ua:googleimageproxy"), token, json={"enabled": False})
        _, custom, _ = await api.call("POST", path(cluster, "/custom"), token,
                                      json={"type": "user_agent", "pattern": "InternalScanner/1.0"})
        _, office, _ = await api.call("POST", path(cluster, "/custom"), token,
                                      json={"type": "ip_cidr", "pattern": "192.0.2.0/24", "kind": "proxy"})
        snapshot = await snapshot_with(agent, tmp_path / "a", lambda s: len(s["bot_signatures"]["custom"]) == 2)
        assert snapshot["bot_signatures"]["defaults"]["sha256"] != first["bot_signatures"]["defaults"]["sha256"]
        classifier = BotClassifier.from_directory(tmp_path / "a")
        disabled = classifier.classify(image_proxy, None)
        assert disabled is None or disabled.ref != "ua:googleimageproxy"
        hit = classifier.classify("Mozilla/5.0 internalscanner/1.0", None)
        assert (hit.ref, hit.source, hit.kind) == (custom["data"]["id"], "custom", "automation")
        hit = classifier.classify("Mozilla/5.0 (X11) Firefox/120", "192.0.2.44")
        assert (hit.ref, hit.kind) == (office["data"]["id"], "proxy")

        # The other cluster is untouched: same artifact, same classification.
        theirs_now = await snapshot_with(other_agent, tmp_path / "b", lambda s: True)
        assert theirs_now["bot_signatures"] == theirs["bot_signatures"]
        assert BotClassifier.from_directory(tmp_path / "b").classify(image_proxy, None).ref == "ua:googleimageproxy"

        await api.call("PATCH", path(cluster, "/defaults/ua:googleimageproxy"), token, json={"enabled": True})
        snapshot = await snapshot_with(agent, tmp_path / "a", lambda s: s["bot_signatures"]["defaults"]["sha256"]
                                       == first["bot_signatures"]["defaults"]["sha256"])
        assert BotClassifier.from_directory(tmp_path / "a").classify(image_proxy, None).ref == "ua:googleimageproxy"


async def test_a_new_catalogue_release_rerenders_every_cluster_compiling_each_set_once(fresh_stack):
    from unmta_botsigs import artifacts
    from unmta_configsync.projector import follow_catalogue_release
    from unmta_configsync.store import active_schema

    http = aiohttp.ClientSession()
    api = Api(http, fresh_stack.url)
    cluster = (await api.new_cluster())["id"]
    token = await api.new_user(f"rel-{uuid.uuid4().hex[:8]}@example.com", [cluster])
    await api.new_mta(cluster)
    await api.call("PATCH", path(cluster, "/defaults/ua:gptbot"), token, json={"enabled": False})
    plain = [(await api.new_cluster())["id"] for _ in range(2)]  # both on the catalogue's own defaults
    for other in plain:
        await api.new_mta(other)
    await http.close()
    configsync = fresh_stack.configsync
    pool, names = configsync.pool, configsync.names
    schema = await active_schema(pool, names)

    async def rendered() -> int:
        return await pool.fetchval(f"SELECT count(DISTINCT cluster_id) FROM {schema}.snapshots"
                                   " WHERE cluster_id = ANY($1)", [cluster, *plain])

    async with asyncio.timeout(15):
        while await rendered() < 3:  # noqa: ASYNC110 - the projector is another task
            await asyncio.sleep(0.05)
    # As if the snapshots had been rendered with an older catalogue, whose artifacts are gone.
    await pool.execute(f"UPDATE {names.control}.catalogue_release SET version = 'an-older-release'")
    await pool.execute(f"DELETE FROM {names.artifacts}")
    artifacts._compiled.cache_clear()
    clusters = await pool.fetchval(f"SELECT count(*) FROM {schema}.cluster_state")

    assert await follow_catalogue_release(pool, names) == clusters
    distinct = await pool.fetchval(f"SELECT count(*) FROM {names.artifacts}")
    assert artifacts.compilations() == distinct < clusters  # one compile per distinct set, not per cluster
    assert await follow_catalogue_release(pool, names) == 0  # already on this release
