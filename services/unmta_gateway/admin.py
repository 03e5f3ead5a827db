"""The operator's admin API, /admin/v1, used by the `unmta` CLI. Operator token only."""

from __future__ import annotations

import msgspec
from aiohttp import web

from unmta_configsync.queries import MtaConvergence, fleet_status
from unmta_configsync.store import ConfigsyncNames
from unmta_fleet.messages import (
    CreateCluster,
    GrantClusterAccess,
    IssueApiToken,
    OutboundIp,
    RegisterMta,
    RegisterUser,
    RevokeApiToken,
    SetClusterRate,
)
from unmta_fleet.queries import AdminMtaView, ClusterView, UserView
from unmta_fleet.validation import email_errors, ipv4_errors, ipv6_errors, rate_errors, region_errors

from .auth import is_operator, new_token, unauthenticated
from .context import GATEWAY
from .http import ValidationFailed, body_decoder, decode_body, json_response, not_found
from .routes import Data, Endpoint
from .writes import respond, respond_with_secret, send_command

OPERATOR = "operator"


class ClusterCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    region: str
    max_message_rate: str | None = None


class ClusterUpdateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    max_message_rate: str | None


class OutboundIpIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    ipv4: str
    ipv6: str | None = None
    ptr: str | None = None


class MtaCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    primary_ipv4: str
    primary_ipv6: str | None = None
    outbound_ips: list[OutboundIpIn] = []


class UserCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: str


class GrantIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    cluster: str


class MtaCreated(msgspec.Struct, frozen=True):
    data: AdminMtaView
    token: str


class TokenIssued(msgspec.Struct, frozen=True):
    data: dict[str, str]
    token: str


_cluster_create = body_decoder(ClusterCreateIn)
_cluster_update = body_decoder(ClusterUpdateIn)
_mta_create = body_decoder(MtaCreateIn)
_user_create = body_decoder(UserCreateIn)
_grant = body_decoder(GrantIn)


def _check(errors: dict[str, list[str]]) -> None:
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationFailed(errors)


@web.middleware
async def operator_only(request: web.Request, handler):
    if request.path.startswith("/admin/") and not is_operator(request):
        return unauthenticated()
    return await handler(request)


async def list_clusters(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    return json_response({"data": await gateway.fleet.all_clusters(gateway.pool)})


async def get_cluster(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    cluster = await gateway.fleet.cluster(gateway.pool, request.match_info["cluster"].lower())
    return json_response({"data": cluster}) if cluster else not_found()


async def create_cluster(request: web.Request) -> web.Response:
    body = await decode_body(request, _cluster_create)
    _check({"region": region_errors(body.region), "max_message_rate": rate_errors(body.max_message_rate)})
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=None,
                                         request_body=body, payload=CreateCluster(region=body.region,
                                                               max_message_rate=body.max_message_rate))
    return respond(outcome, replay)


async def update_cluster(request: web.Request) -> web.Response:
    body = await decode_body(request, _cluster_update)
    _check({"max_message_rate": rate_errors(body.max_message_rate)})
    cluster_id = request.match_info["cluster"].lower()
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=cluster_id,
                                         request_body=body, payload=SetClusterRate(cluster_id=cluster_id,
                                                                max_message_rate=body.max_message_rate))
    return respond(outcome, replay)


async def list_mtas(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    mtas = await gateway.fleet.all_mtas(gateway.pool)
    cluster = request.query.get("cluster")
    if cluster:
        mtas = [m for m in mtas if m.cluster_id == cluster.lower()]
    return json_response({"data": mtas})


async def create_mta(request: web.Request) -> web.Response:
    body = await decode_body(request, _mta_create)
    errors = {"primary_ipv4": ipv4_errors("primary_ipv4", body.primary_ipv4, required=True),
              "primary_ipv6": ipv6_errors("primary_ipv6", body.primary_ipv6, required=False)}
    for i, ip in enumerate(body.outbound_ips):
        errors[f"outbound_ips.{i}.ipv4"] = ipv4_errors(f"outbound_ips.{i}.ipv4", ip.ipv4, required=True)
        errors[f"outbound_ips.{i}.ipv6"] = ipv6_errors(f"outbound_ips.{i}.ipv6", ip.ipv6, required=False)
    _check(errors)
    cluster_id = request.match_info["cluster"].lower()
    token, digest = new_token()
    payload = RegisterMta(cluster_id=cluster_id, primary_ipv4=body.primary_ipv4, primary_ipv6=body.primary_ipv6,
                          outbound_ips=[OutboundIp(ipv4=i.ipv4, ipv6=i.ipv6, ptr=i.ptr) for i in body.outbound_ips],
                          token_digest=digest)
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=cluster_id,
                                         request_body=body, payload=payload)
    return respond_with_secret(outcome, replay, "token_digest", digest, "token", token)


async def list_users(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    return json_response({"data": await gateway.fleet.users(gateway.pool)})


def _email(request: web.Request) -> str:
    email = request.match_info["email"].strip().lower()
    _check({"email": email_errors(email)})
    return email


async def create_user(request: web.Request) -> web.Response:
    body = await decode_body(request, _user_create)
    email = body.email.strip().lower()
    _check({"email": email_errors(email)})
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=None,
                                         partition_key=email, request_body=body, payload=RegisterUser(email=email))
    return respond(outcome, replay)


async def grant_cluster(request: web.Request) -> web.Response:
    email = _email(request)
    body = await decode_body(request, _grant)
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=None,
                                         partition_key=email, request_body=body,
                                         payload=GrantClusterAccess(email=email, cluster_id=body.cluster.lower()))
    return respond(outcome, replay)


async def issue_token(request: web.Request) -> web.Response:
    email = _email(request)
    token, digest = new_token()
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=None,
                                         partition_key=email, request_body=None,
                                         payload=IssueApiToken(email=email, token_digest=digest))
    return respond_with_secret(outcome, replay, "token_digest", digest, "token", token)


async def revoke_token(request: web.Request) -> web.Response:
    email = _email(request)
    outcome, replay = await send_command(request, service="fleet", actor=OPERATOR, cluster_id=None,
                                         partition_key=email, request_body=None,
                                         payload=RevokeApiToken(email=email))
    return respond(outcome, replay)


async def get_fleet_status(request: web.Request) -> web.Response:
    gateway = request.app[GATEWAY]
    return json_response({"data": await fleet_status(gateway.pool, ConfigsyncNames(gateway.config.infra.namespace))})


_OP = dict(security="operatorToken", tag="Admin")
ENDPOINTS = [
    Endpoint("GET", "/admin/v1/clusters", list_clusters, "List every cluster", response=Data[list[ClusterView]], **_OP),
    Endpoint("POST", "/admin/v1/clusters", create_cluster, "Create a cluster", request=ClusterCreateIn,
             response=Data[ClusterView], response_status=201, errors=(401, 422, 503), **_OP),
    Endpoint("GET", "/admin/v1/clusters/{cluster}", get_cluster, "Get a cluster", response=Data[ClusterView],
             errors=(401, 404), **_OP),
    Endpoint("PATCH", "/admin/v1/clusters/{cluster}", update_cluster, "Change a cluster's max_message_rate",
             request=ClusterUpdateIn, response=Data[ClusterView], errors=(401, 404, 422, 503), **_OP),
    Endpoint("GET", "/admin/v1/mtas", list_mtas, "List every MTA", response=Data[list[AdminMtaView]],
             query={"cluster": "Only the MTAs of this cluster"}, **_OP),
    Endpoint("POST", "/admin/v1/clusters/{cluster}/mtas", create_mta,
             "Register an MTA; its pull token is in the response, once", request=MtaCreateIn,
             response=MtaCreated, response_status=201, errors=(401, 404, 422, 503), **_OP),
    Endpoint("GET", "/admin/v1/users", list_users, "List users", response=Data[list[UserView]], **_OP),
    Endpoint("POST", "/admin/v1/users", create_user, "Create a user", request=UserCreateIn,
             response=Data[UserView], response_status=201, errors=(401, 422, 503), **_OP),
    Endpoint("POST", "/admin/v1/users/{email}/grants", grant_cluster, "Grant a user access to a cluster",
             request=GrantIn, response=Data[UserView], errors=(401, 404, 422, 503), **_OP),
    Endpoint("POST", "/admin/v1/users/{email}/token", issue_token,
             "Generate a user's API token (revokes the previous one); shown once", response=TokenIssued,
             response_status=201, errors=(401, 404, 503), **_OP),
    Endpoint("DELETE", "/admin/v1/users/{email}/token", revoke_token, "Revoke a user's API token",
             response_status=204, errors=(401, 404, 503), **_OP),
    Endpoint("GET", "/admin/v1/fleet/status", get_fleet_status, "Latest vs applied snapshot per MTA",
             response=Data[list[MtaConvergence]], **_OP),
]
