"""/api/v1/clusters/{cluster}/tracking-domains: branded tracking hosts, verified by CNAME."""

from __future__ import annotations

import msgspec
from aiohttp import web

from unmta_domains.names import domain_name_errors, normalise
from unmta_tracking.messages import (
    CreateTrackingDomain,
    DeleteTrackingDomain,
    SetDefaultTrackingDomain,
    VerifyTrackingDomain,
)
from unmta_tracking.queries import (
    TrackingDomainDetailView,
    TrackingDomainVerification,
    TrackingDomainView,
    TrackingQueries,
)
from unmta_tracking.service import tracking_schema

from .api_v1 import authorised_cluster
from .context import GATEWAY
from .http import ValidationFailed, body_decoder, decode_body, json_response, not_found
from .routes import Data, Endpoint
from .writes import respond, send_command


class TrackingCreateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    is_default: bool = False


class TrackingUpdateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    is_default: bool


_create = body_decoder(TrackingCreateIn)
_update = body_decoder(TrackingUpdateIn)


def _queries(request: web.Request) -> TrackingQueries:
    return TrackingQueries(tracking_schema(request.app[GATEWAY].config.infra.namespace))


def _name(request: web.Request) -> str:
    return normalise(request.match_info["domain"])


async def _write(request: web.Request, request_body: msgspec.Struct | None, make_payload,
                 access: tuple[str, str] | None = None) -> web.Response:
    if access is None:
        access = await authorised_cluster(request)
        if isinstance(access, web.Response):
            return access
    user_id, cluster_id = access
    outcome, replay = await send_command(request, service="tracking", actor=f"user:{user_id}", cluster_id=cluster_id,
                                         request_body=request_body, payload=make_payload(cluster_id))
    return respond(outcome, replay)


async def list_tracking(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    return json_response({"data": await _queries(request).list(request.app[GATEWAY].pool, access[1])})


async def get_tracking(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    view = await _queries(request).detail(request.app[GATEWAY].pool, access[1], _name(request))
    return json_response({"data": view}) if view else not_found()


async def create_tracking(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)  # a stranger learns nothing from validation errors
    if isinstance(access, web.Response):
        return access
    body = await decode_body(request, _create)
    name = normalise(body.name)
    errors = domain_name_errors(name, min_labels=3)
    if errors:
        raise ValidationFailed({"name": errors})
    return await _write(request, body, lambda cluster_id: CreateTrackingDomain(
        cluster_id=cluster_id, name=name, is_default=body.is_default), access)


async def update_tracking(request: web.Request) -> web.Response:
    access = await authorised_cluster(request)
    if isinstance(access, web.Response):
        return access
    body = await decode_body(request, _update)
    return await _write(request, body, lambda cluster_id: SetDefaultTrackingDomain(
        cluster_id=cluster_id, name=_name(request), is_default=body.is_default), access)


async def delete_tracking(request: web.Request) -> web.Response:
    return await _write(request, None, lambda cluster_id: DeleteTrackingDomain(cluster_id=cluster_id,
                                                                                name=_name(request)))


async def verify_tracking(request: web.Request) -> web.Response:
    return await _write(request, None, lambda cluster_id: VerifyTrackingDomain(cluster_id=cluster_id,
                                                                                name=_name(request)))


_PATH = "/api/v1/clusters/{cluster}/tracking-domains"
ENDPOINTS = [
    Endpoint("GET", _PATH, list_tracking, "List the tracking domains of a cluster", "Tracking Domains",
             response=Data[list[TrackingDomainView]], errors=(401, 404)),
    Endpoint("POST", _PATH, create_tracking, "Add a tracking domain and issue its CNAME target", "Tracking Domains",
             request=TrackingCreateIn, response=Data[TrackingDomainDetailView], response_status=201,
             errors=(401, 404, 422, 503)),
    Endpoint("GET", _PATH + "/{domain}", get_tracking, "Get a tracking domain with its CNAME record",
             "Tracking Domains", response=Data[TrackingDomainDetailView], errors=(401, 404)),
    Endpoint("PATCH", _PATH + "/{domain}", update_tracking, "Make it the cluster's default, or clear that",
             "Tracking Domains", request=TrackingUpdateIn, response=Data[TrackingDomainView],
             errors=(401, 404, 422, 503)),
    Endpoint("DELETE", _PATH + "/{domain}", delete_tracking, "Delete a tracking domain", "Tracking Domains",
             response_status=204, errors=(401, 404, 503)),
    Endpoint("POST", _PATH + "/{domain}/verify", verify_tracking, "Check the tracking domain's CNAME now",
             "Tracking Domains", response=TrackingDomainVerification, errors=(401, 404, 503)),
]
