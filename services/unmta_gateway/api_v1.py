"""The public API, /api/v1, exactly as the contract describes it."""

from __future__ import annotations

from aiohttp import web

from unmta_fleet.queries import ClusterView, MtaView

from .auth import authenticated_user, unauthenticated
from .context import GATEWAY
from .http import json_response, not_found
from .routes import Data, Endpoint


async def list_clusters(request: web.Request) -> web.Response:
    user_id = await authenticated_user(request)
    if user_id is None:
        return unauthenticated()
    gateway = request.app[GATEWAY]
    return json_response({"data": await gateway.fleet.clusters_for_user(gateway.pool, user_id)})


async def authorised_cluster(request: web.Request) -> tuple[str, str] | web.Response:
    """(user id, cluster id) when the caller may use the path's cluster; else the 401/404 to send.

    No access and no such cluster get the same answer: another tenant's ids reveal nothing.
    """
    user_id = await authenticated_user(request)
    if user_id is None:
        return unauthenticated()
    gateway = request.app[GATEWAY]
    cluster_id = request.match_info["cluster"].lower()
    if not await gateway.fleet.user_can_see(gateway.pool, user_id, cluster_id):
        return not_found()
    return user_id, cluster_id


async def list_mtas(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    gateway = request.app[GATEWAY]
    return json_response({"data": await gateway.fleet.mtas_of_cluster(gateway.pool, access[1])})


ENDPOINTS = [
    Endpoint("GET", "/api/v1/clusters", list_clusters, "List the clusters you can access", "Clusters",
             response=Data[list[ClusterView]]),
    Endpoint("GET", "/api/v1/clusters/{cluster}/mtas", list_mtas, "List the MTAs of a cluster", "MTAs",
             response=Data[list[MtaView]], errors=(401, 404)),
]
