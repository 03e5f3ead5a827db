"""A small async client for tests: admin calls and user calls against a running stack."""

from __future__ import annotations

import aiohttp

from .conftest import ADMIN_TOKEN


class Api:
    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http = http
        self.url = url

    async def call(self, method: str, path: str, token: str | None = None, json=None, data=None,
                   headers: dict | None = None) -> tuple[int, object, aiohttp.typedefs.LooseHeaders]:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        async with self.http.request(method, f"{self.url}{path}", json=json, data=data,
                                     headers=all_headers) as response:
            text = await response.text()
            body = None
            if text:
                body = await response.json(content_type=None)
            return response.status, body, response.headers

    async def admin(self, method: str, path: str, json=None, headers: dict | None = None):
        return await self.call(method, path, ADMIN_TOKEN, json=json, headers=headers)

    async def admin_ok(self, method: str, path: str, json=None) -> dict:
        status, body, _ = await self.admin(method, path, json)
        assert status < 300, (status, body)
        return body

    async def new_cluster(self, rate: str | None = None) -> dict:
        return (await self.admin_ok("POST", "/admin/v1/clusters", {"region": "us-dal-1",
                                                                    "max_message_rate": rate}))["data"]

    async def new_mta(self, cluster_id: str, ipv4: str = "203.0.113.10") -> tuple[dict, str]:
        body = await self.admin_ok("POST", f"/admin/v1/clusters/{cluster_id}/mtas", {
            "primary_ipv4": ipv4, "primary_ipv6": "2001:db8::1",
            "outbound_ips": [{"ipv4": "203.0.113.20", "ipv6": "2001:db8::10"}]})
        return body["data"], body["token"]

    async def new_user(self, email: str, clusters: list[str] = ()) -> str:
        await self.admin_ok("POST", "/admin/v1/users", {"email": email})
        for cluster_id in clusters:
            await self.admin_ok("POST", f"/admin/v1/users/{email}/grants", {"cluster": cluster_id})
        return (await self.admin_ok("POST", f"/admin/v1/users/{email}/token"))["token"]
